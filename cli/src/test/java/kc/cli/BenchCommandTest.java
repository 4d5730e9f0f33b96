package kc.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

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
}
