package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    @Test void childrenUseBenchsCacheDirectory() {
        BenchCommand.Problem problem = BenchCommand.Problem.of(Path.of("/p/level1/1_A.py"), Path.of("/p"), List.of("-D", "n=2"));
        List<String> given = child(problem, "--cache-dir", "/tmp/kc-cache"), unset = child(problem);
        assertEquals("/tmp/kc-cache", given.get(given.indexOf("--cache-dir") + 1), given.toString());
        assertEquals(CeilingsCache.defaultDir().toString(), unset.get(unset.indexOf("--cache-dir") + 1), unset.toString());
        assertEquals(List.of("run", "/p/level1/1_A.py", "-D", "n=2", "--time"), given.subList(given.indexOf("run"), given.indexOf("run") + 5));
    }

    /** The command line of a problem's child JVM, for bench parsed from {@code args}. */
    private static List<String> child(BenchCommand.Problem problem, String... args) {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs(args);
        return bench.childCommand(problem, Optional.empty(), List.of("--time"), Path.of("/tmp/r.json"));
    }
}
