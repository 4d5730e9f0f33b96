package kc.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.runtime.verify.PythonTorch;

/**
 * kc bench's baseline script, the parts that need no GPU: how it counts kernels in a torch.profiler trace, and
 * that without CUDA it leaves the counts unknown (null in baseline.json, "-" in the report) rather than 0.
 */
class TorchBenchScriptTest {
    /**
     * Counts the kernels of traces (events as Kineto writes them: three kernels among every other kind, as a
     * Kineto trace and as a bare list; a real CPU-only trace) and of a forward where the profiler cannot see a GPU.
     */
    private static final String CHECKS = """
            import sys, json, torch
            from torch.profiler import profile, ProfilerActivity
            from torch_bench import count_kernels, count_launches
            events = [
                {"ph": "X", "cat": "kernel", "name": "void at::native::vectorized_elementwise_kernel<4>"},
                {"ph": "X", "cat": "kernel", "name": "triton_poi_fused_add_relu_0"},
                {"ph": "X", "cat": "Kernel", "name": "volta_sgemm_128x64_nn"},
                {"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy HtoD (Pageable -> Device)"},
                {"ph": "X", "cat": "gpu_memset", "name": "Memset (Device)"},
                {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel"},
                {"ph": "X", "cat": "cuda_driver", "name": "cuLaunchKernel"},
                {"ph": "X", "cat": "cpu_op", "name": "aten::add"},
                {"ph": "X", "cat": "gpu_user_annotation", "name": "Torch-Compiled Region: 0/0"},
                {"ph": "f", "cat": "ac2g", "name": "ac2g"},
                {"ph": "M", "name": "process_name", "args": {"name": "python3"}},
            ]
            print("kineto", count_kernels({"traceEvents": events}))
            print("bare list", count_kernels(events))
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                torch.relu(torch.randn(8)) + 1
            path = sys.argv[1] + "/cpu_trace.json"
            prof.export_chrome_trace(path)
            with open(path) as f:
                print("cpu trace", count_kernels(json.load(f)))
            print("cpu forward", count_launches(torch.relu, [torch.randn(8)]))
            """;

    @Test void countsKernelEventsOnlyAndLeavesCountsUnknownWithoutCuda(@TempDir Path dir) throws Exception {
        Optional<Path> py = PythonTorch.find(null);
        assumeTrue(py.isPresent(), "no Python with torch: kc bench's baseline script is not exercised here");
        for (String name : List.of("torch_bench.py", "torch_reference.py"))
            try (InputStream in = TorchBenchScriptTest.class.getResourceAsStream("/kc/runtime/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        ProcessBuilder pb = new ProcessBuilder(py.get().toString(), "-c", CHECKS, dir.toString()).directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().put("CUDA_VISIBLE_DEVICES", ""); // a GPU build of PyTorch then sees none either
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.matches("(kineto|bare list|cpu trace|cpu forward) .*")).toList();
        // memcpy, memset, launch calls, operators, annotations and flow arrows are not kernels
        assertEquals(List.of("kineto 3", "bare list 3", "cpu trace 0", "cpu forward None"), lines, out);
    }
}
