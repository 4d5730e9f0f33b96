package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kc.ir.graph.Json;
import kc.runtime.bench.ProblemResult;

import org.junit.jupiter.api.Test;

import kc.runtime.gpu.CeilingsCache;
import picocli.CommandLine;

/** kc bench's rules that need no GPU. */
class BenchCommandTest {
    @Test void onlyAnOutOfMemoryErrorIsRetriedAlone() {
        assertTrue(BenchCommand.outOfMemory(Map.of("verdict", "ERROR",
                "detail", "cannot allocate 6.44 GB on the GPU (5.97 GB free): CUDA_ERROR_OUT_OF_MEMORY")));
        // a kernel's own fault, a wrong result or a verdict that merely mentions memory is the problem's answer
        assertFalse(BenchCommand.outOfMemory(Map.of("verdict", "ERROR", "detail", "CUDA_ERROR_ILLEGAL_ADDRESS")));
        assertFalse(BenchCommand.outOfMemory(Map.of("verdict", "FAIL", "detail", "allclose: CUDA_ERROR_OUT_OF_MEMORY")));
        assertFalse(BenchCommand.outOfMemory(Map.of("verdict", "CRASH", "detail", "exit status 134")));
    }

    private static final BenchCommand.Problem PROBLEM = new BenchCommand.Problem(Path.of("level1/19_ReLU.py"), "level1/19_ReLU", 1, List.of());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) { return (Map<String, Object>) Json.parse(text); }

    @Test void launchCountsComeFromTheRunAndTheBaselines() {
        ProblemResult r = BenchCommand.result(PROBLEM,
                json("{\"verdict\": \"PASS\", \"kernels\": 2, \"launches\": 3}"),
                json("{\"eager\": null, \"compiled\": null, \"eager_launches\": 5, \"compiled_launches\": 1}"));
        assertEquals(List.of(2, 3, 5, 1), List.of(r.kernels(), r.launches(), r.eagerLaunches(), r.compiledLaunches()));
    }

    @Test void keptResultsWithoutLaunchCountsReadAsNotCounted() {
        // --resume and --report-only read results kept by an older kc: no baseline counts, and null where unknown
        ProblemResult old = BenchCommand.result(PROBLEM, json("{\"verdict\": \"PASS\", \"kernels\": 2, \"launches\": 3}"),
                json("{\"eager\": null, \"compiled\": null}"));
        assertEquals(List.of(3, -1, -1), List.of(old.launches(), old.eagerLaunches(), old.compiledLaunches()));
        RunCommand.RunResult.Builder beforePlan = new RunCommand.RunResult.Builder("19_ReLU.py");
        beforePlan.verdict = "ERROR"; // e.g. nvcc failed: kc run had no launch plan, so it counted none, not 0
        ProblemResult failed = BenchCommand.result(PROBLEM, json(beforePlan.build().toJson()),
                json("{\"eager_launches\": null, \"compiled_launches\": 4}"));
        assertEquals(List.of(-1, -1, -1, 4), List.of(failed.kernels(), failed.launches(), failed.eagerLaunches(), failed.compiledLaunches()));
        ProblemResult noBaselines = BenchCommand.result(PROBLEM, Map.of("verdict", "CRASH", "detail", "exit status 134"), null);
        assertEquals(List.of(-1, -1, -1), List.of(noBaselines.launches(), noBaselines.eagerLaunches(), noBaselines.compiledLaunches()));
    }
}
