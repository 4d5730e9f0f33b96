package kc.ir.graph;

/**
 * Where a node came from, kept so later passes can match composites back into fast forms
 * and errors can point at the user's code.
 *
 * @param composite  the PyTorch-level op this node is part of, e.g. "softmax", "layer_norm", "conv2d";
 *                   equal to the primitive's own name when the op was not decomposed
 * @param instance   distinguishes separate occurrences of the same composite (all nodes of one softmax share it)
 * @param module     the owning module's path in the module tree, e.g. "attn.c_proj" ("" for the root)
 * @param pos        the source position of the call
 */
public record Origin(String composite, int instance, String module, SourcePos pos) {
    public static final Origin NONE = new Origin("", 0, "", SourcePos.UNKNOWN);
}
