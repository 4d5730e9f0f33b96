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

    // Spelled out, cheap parts first: the generated record methods are slow under the C1 JIT kc runs with, and
    // group naming hashes the origins of every node.
    @Override public boolean equals(Object o) {
        return o instanceof Origin x && instance == x.instance && java.util.Objects.equals(composite, x.composite)
                && java.util.Objects.equals(module, x.module) && java.util.Objects.equals(pos, x.pos);
    }

    @Override public int hashCode() {
        return ((java.util.Objects.hashCode(composite) * 31 + instance) * 31 + java.util.Objects.hashCode(module)) * 31 + java.util.Objects.hashCode(pos);
    }
}
