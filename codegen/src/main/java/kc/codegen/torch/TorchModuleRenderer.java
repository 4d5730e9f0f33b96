package kc.codegen.torch;

import java.util.List;

import kc.codegen.Resources;

/**
 * A PyTorch drop-in for a compiled model (kc compile --emit torch): one Python file that needs only PyTorch with CUDA
 * at run time. It holds, in order:
 * <ol>
 *   <li>a header saying what it was compiled from, with which options, precision, target and kc version;</li>
 *   <li>the user's module file as written (with -D overrides applied), so {@code Model}, {@code get_inputs} and
 *       {@code get_init_inputs} are the user's own, and parameters and buffers are created by the user's
 *       {@code __init__} in the same order with the same random draws;</li>
 *   <li>kc's PTX and launch plan as data, and a small launcher over the CUDA driver API (kc_torch_runtime.py);</li>
 *   <li>{@code class ModelNew(Model)}, whose forward only checks its inputs, allocates outputs and scratch through
 *       PyTorch and launches kc's kernels on the current stream: it never calls Model's forward or a PyTorch op.</li>
 * </ol>
 */
public final class TorchModuleRenderer {
    private TorchModuleRenderer() {}

    /** Marks where kc's part of the file starts (what the static check of its calls reads). */
    public static final String KC_SECTION = "# ==== kc: compiled kernels and their launcher ====";

    /**
     * @param header   lines for the header comment (compiled from, options, precision, target, version)
     * @param source   the user's module file, -D overrides applied
     * @param ptx      the kernels, as kc's PTX renderer wrote them
     * @param planJson the launch plan (plan.json's text)
     */
    public static String render(List<String> header, String source, String ptx, String planJson) {
        StringBuilder out = new StringBuilder();
        for (String h : header) out.append("# ").append(h).append('\n');
        out.append("#\n# Use it as the original: model = ModelNew(*get_init_inputs()).cuda(); y = model(*inputs)\n");
        out.append("# (weights as Model builds them under the same seed; load_state_dict of a Model's state works).\n\n");
        out.append("# ==== the module file as written: it builds the weights and the inputs ====\n");
        out.append(source);
        if (!source.endsWith("\n")) out.append('\n');
        out.append('\n').append(KC_SECTION).append('\n');
        out.append("import json as _kc_json\n\nimport torch\n\n");
        out.append("_KC_PTX = ").append(rawString(ptx, "PTX")).append("\n\n");
        out.append("_KC_PLAN = _kc_json.loads(").append(rawString(planJson, "the plan")).append(")\n\n");
        out.append(Resources.text("torch/kc_torch_runtime.py"));
        out.append("""


                class ModelNew(Model):
                    \"\"\"Model with its forward run by kc's kernels: the same constructor, parameters and buffers.\"\"\"

                    def forward(self, *inputs):
                        return _kc_forward(self, inputs)
                """);
        return out.toString();
    }

    /** text as a raw triple-quoted Python literal; kc's PTX and JSON never hold three quotes or end in a backslash. */
    private static String rawString(String text, String what) {
        if (text.contains("'''") || text.endsWith("\\"))
            throw new IllegalStateException(what + " cannot be embedded as a raw string literal");
        return "r'''" + text + "'''";
    }
}
