package kc.runtime.verify;

import kc.ir.graph.DType;
import kc.passes.schedule.Precision;

/**
 * MEASURING.md's tolerances: allclose with atol = rtol = 1e-4 for fp32 (and fp64), 1e-2 for fp16/bf16. Outputs of a
 * reduced-precision compile (tf32, bf16: see {@link Precision}) take 1e-2 with atol relative to the reference's root
 * mean square ({@code scaledByRms}): {@link #resolved} turns that into an absolute atol once the reference is known.
 */
public record Tolerance(double atol, double rtol, boolean scaledByRms) {
    public Tolerance(double atol, double rtol) { this(atol, rtol, false); }

    public static Tolerance forDType(DType dtype) {
        return switch (dtype) {
            case F16, BF16 -> new Tolerance(1e-2, 1e-2);
            case F32, F64 -> new Tolerance(1e-4, 1e-4);
            case I64, I32, BOOL -> new Tolerance(0, 0);
        };
    }

    /** The tolerance of an output of this dtype computed under {@code precision} (null: the default, fp32-accurate). */
    public static Tolerance of(DType dtype, Precision precision) {
        if (precision == null || precision.fp32Accurate() || !dtype.isFloat()) return forDType(dtype);
        return new Tolerance(precision.tolerance, precision.tolerance, true);
    }

    /** The same tolerance of a plan's recorded precision word (null or unknown: the dtype's own). */
    public static Tolerance of(DType dtype, String precisionWord) {
        return of(dtype, precisionWord == null ? null : Precision.of(precisionWord));
    }

    /** An absolute tolerance for a reference whose root mean square is {@code rms}. */
    public Tolerance resolved(double rms) { return scaledByRms ? new Tolerance(atol * rms, rtol, false) : this; }

    /** "atol=… rtol=…", saying where atol came from when it was scaled. */
    public String describe(Tolerance stated) {
        return "atol=" + String.format("%.3g", atol) + (stated.scaledByRms ? " (" + stated.atol + " x the reference's rms)" : "") + " rtol=" + rtol;
    }
}
