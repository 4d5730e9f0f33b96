package kc.runtime.gpu;

import kc.runtime.verify.Tolerance;

/**
 * One output against its reference, judged on the device: allclose mismatches (NaN never passes), NaN counts,
 * elements still holding the poison written before the run, and MEASURING.md's error figures.
 */
public record CompareStats(long mismatches, long outNan, long refNan, long poisoned, double maxAbsError,
                           double sumSqDiff, double sumSqRef, long count, Tolerance tolerance, Tolerance stated) {

    public boolean passed() { return mismatches == 0; }

    /** ||out - ref|| / ||ref|| (the absolute norm when the reference is all zeros). */
    public double relativeL2Error() {
        return sumSqRef == 0 ? Math.sqrt(sumSqDiff) : Math.sqrt(sumSqDiff / sumSqRef);
    }

    public String summary() {
        String s = String.format("max_abs=%.3g rel_l2=%.3g", maxAbsError, relativeL2Error());
        if (passed()) return s;
        String why = refNan > 0 ? "the reference itself has " + refNan + " NaN"
                : outNan > 0 ? outNan + " NaN in the output"
                : mismatches + " of " + count + " elements outside " + tolerance.describe(stated);
        return s + " (" + why + ")";
    }
}
