package kc.runtime.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import kc.codegen.cuda.CudaRenderer;
import kc.codegen.ptx.PtxasCheck;

/**
 * The render stage's output: the kernels printed for the target and the launch plan as JSON, the files kc compile
 * writes.
 *
 * @param kernelFile the kernel file's name ({@code conv_block.ptx}); the plan names it
 * @param source     the kernels, as that file holds them
 * @param planJson   plan.json's text
 * @param assembled  what ptxas said of PTX that it assembled (registers per kernel), or null when it did not run
 */
public record Rendered(Emit emit, String kernelFile, String source, String planJson, PtxasCheck.Result assembled) {
    /** Every file, by name: the kernel file (CUDA C with kc's header beside it) and plan.json. */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        if (emit == Emit.CUDA) files.put(CudaRenderer.HEADER, CudaRenderer.header());
        files.put(kernelFile, source);
        files.put("plan.json", planJson);
        return files;
    }

    /** The most registers a thread of any kernel uses, as ptxas counted them; 0 when ptxas did not run. */
    public int mostRegisters() {
        return assembled == null ? 0 : assembled.registers().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    Rendered withAssembly(PtxasCheck.Result r) { return new Rendered(emit, kernelFile, source, planJson, r); }
}
