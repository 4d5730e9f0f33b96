package kc.codegen;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing tool skips a test on a developer's machine and fails it under CI=true. */
class ToolchainTest {
    @Test void missingToolSkipsOutsideCiAndFailsUnderCi() {
        assertThrows(TestAbortedException.class, () -> Toolchain.require(false, "ptxas is not installed", false));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Toolchain.require(false, "ptxas is not installed", true));
        assertTrue(e.getMessage().startsWith("ptxas is not installed") && e.getMessage().contains("CI=true"), e.getMessage());
        assertDoesNotThrow(() -> Toolchain.require(true, "unused", true));
    }

    @Test void missingToolForAPartOfATestReturnsFalseOutsideCiAndFailsUnderCi() {
        assertFalse(Toolchain.present(false, "nvcc is not installed", false));
        assertThrows(AssertionFailedError.class, () -> Toolchain.present(false, "nvcc is not installed", true));
        assertTrue(Toolchain.present(true, "unused", true));
    }
}
