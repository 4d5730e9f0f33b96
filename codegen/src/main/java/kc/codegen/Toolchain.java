package kc.codegen;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need an external tool (ptxas, nvcc, g++, a Python with torch): a developer's machine without the
 * tool skips what needs it, but CI (environment variable CI=true) fails instead, since a CI run that silently
 * skipped its ptxas or PyTorch checks would pass while checking nothing. GPU tests do not use this: CI has no GPU.
 *
 * <p>It lives in kc-codegen's main code because every module whose tests need a tool (codegen, runtime, cli)
 * depends on kc-codegen, and Maven modules cannot share test classes without test-jars. JUnit is a "provided"
 * dependency here: on the test class path only, and nothing outside tests calls this class.
 */
public final class Toolchain {
    private Toolchain() {}

    /** True when the environment variable CI is "true" (as CI services and .ci/run set it). */
    public static boolean ci() { return "true".equalsIgnoreCase(System.getenv("CI")); }

    /**
     * The calling test needs the tool: skipped when {@code present} is false, failed instead under CI=true.
     *
     * @param missing what is missing and what is therefore not checked, e.g. "ptxas is not on PATH: PTX not assembled"
     */
    public static void require(boolean present, String missing) { require(present, missing, ci()); }

    /**
     * For a test that checks more than the tool: true when the tool is there; otherwise prints that this part is
     * skipped and returns false, or fails the test under CI=true.
     */
    public static boolean present(boolean present, String missing) { return present(present, missing, ci()); }

    static void require(boolean present, String missing, boolean ci) {
        if (present) return;
        if (ci) Assertions.fail(underCi(missing));
        Assumptions.abort(missing);
    }

    static boolean present(boolean present, String missing, boolean ci) {
        if (present) return true;
        if (ci) Assertions.fail(underCi(missing));
        System.out.println("skipped: " + missing);
        return false;
    }

    private static String underCi(String missing) {
        return missing + " (CI=true: CI must run this check; install the tool, or unset CI to skip it)";
    }
}
