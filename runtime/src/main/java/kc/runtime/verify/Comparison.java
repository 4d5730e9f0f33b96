package kc.runtime.verify;

import kc.ir.interp.HostTensor;

/**
 * The verdict of comparing one output with its reference: {@code allclose(out, ref, atol, rtol)} elementwise
 * (|out - ref| <= atol + rtol * |ref|), plus the error figures MEASURING.md asks for. NaN never passes; an
 * infinity passes only where the reference has the same infinity.
 */
public record Comparison(boolean passed, String reason, double maxAbsError, double relativeL2Error, long mismatches, long count) {

    public static Comparison of(HostTensor out, HostTensor ref, Tolerance stated) {
        Tolerance tol = stated.scaledByRms() ? stated.resolved(rms(ref)) : stated;
        if (!out.shape().equals(ref.shape()))
            return new Comparison(false, "shape " + out.shape() + " differs from the reference's " + ref.shape(),
                    Double.NaN, Double.NaN, ref.numel(), ref.numel());
        long mismatches = 0;
        double maxAbs = 0, diffSq = 0, refSq = 0;
        boolean nan = false, refNan = false;
        for (int i = 0; i < ref.numel(); i++) {
            double o = out.getFlat(i), r = ref.getFlat(i);
            if (Double.isNaN(r)) { refNan = true; mismatches++; continue; }
            if (Double.isNaN(o)) { nan = true; mismatches++; continue; }
            if (Double.isInfinite(r) || Double.isInfinite(o)) {
                if (o != r) { mismatches++; maxAbs = Double.POSITIVE_INFINITY; }
                continue;
            }
            double d = Math.abs(o - r);
            maxAbs = Math.max(maxAbs, d);
            diffSq += d * d;
            refSq += r * r;
            if (d > tol.atol() + tol.rtol() * Math.abs(r)) mismatches++;
        }
        double rel = refSq == 0 ? Math.sqrt(diffSq) : Math.sqrt(diffSq / refSq);
        String reason = refNan ? "the reference itself contains NaN"
                : nan ? "output contains NaN"
                : mismatches > 0 ? mismatches + " of " + ref.numel() + " elements outside " + tol.describe(stated)
                : "";
        return new Comparison(mismatches == 0, reason, maxAbs, rel, mismatches, ref.numel());
    }

    /** The root mean square of the reference's finite elements. */
    static double rms(HostTensor ref) {
        double sq = 0;
        long n = 0;
        for (int i = 0; i < ref.numel(); i++) {
            double r = ref.getFlat(i);
            if (Double.isFinite(r)) { sq += r * r; n++; }
        }
        return n == 0 ? 0 : Math.sqrt(sq / n);
    }

    public String summary() {
        return String.format("max_abs=%.3g rel_l2=%.3g%s", maxAbsError, relativeL2Error, passed ? "" : " (" + reason + ")");
    }
}
