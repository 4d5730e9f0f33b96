package kc.passes.schedule;

import java.util.Locale;

/**
 * The numerics a compile promises: which matrix units its contractions may use and the tolerance it is verified at.
 * {@code --precision} on compile, run, check and bench; recorded in the schedule ({@code precision tf32x3}) and in
 * plan.json.
 *
 * <p>fp32 and tf32x3 meet MEASURING.md's 1e-4: allclose with atol = rtol = 1e-4. tf32 and bf16 are PyTorch's
 * reduced classes, a user's explicit choice, verified at 1e-2 with the absolute part taken relative to the output's
 * root mean square: every element within 1e-2 x (|ref| + rms(ref)). An absolute 1e-2 would refuse PyTorch's own TF32:
 * on normal(0, 2) data a 4096-term tf32 dot product errs by about 0.06 (1e-2 x its typical output of 256 is 2.6), so
 * outputs near 0 would miss a tolerance that says nothing about the class. Every report labels such a line.
 */
public enum Precision {
    /** SIMT fused multiply-adds only: exact fp32 products. */
    FP32(1e-4, false),
    /** Tensor cores with each fp32 operand split in two tf32 parts (three products): fp32-accurate; the default. */
    TF32X3(1e-4, false),
    /** Tensor cores with operands rounded to tf32, fp32 sums: PyTorch's allow_tf32 class. */
    TF32(1e-2, true),
    /** Tensor cores with operands rounded to bf16, fp32 sums: PyTorch's autocast-to-bf16 class for contractions. */
    BF16(1e-2, true);

    /** allclose's atol and rtol for fp32 outputs computed at this precision. */
    public final double tolerance;
    /** Whether atol is relative to the output's root mean square (the reduced classes) rather than absolute. */
    public final boolean scaledByRms;

    Precision(double tolerance, boolean scaledByRms) { this.tolerance = tolerance; this.scaledByRms = scaledByRms; }

    /** kc's default: the fastest class that meets the fp32 tolerance. */
    public static final Precision DEFAULT = TF32X3;

    public String word() { return name().toLowerCase(Locale.ROOT); }

    /** Whether this class meets fp32's 1e-4 (else a report labels it reduced). */
    public boolean fp32Accurate() { return !scaledByRms; }

    /** How the class is verified, for reports: "1e-4" or "1e-2 of rms". */
    public String verifiedAt() { return scaledByRms ? "1e-2 (atol x rms)" : "1e-4"; }

    /** The precision named by a word of the language or the command line, or null. */
    public static Precision of(String word) {
        for (Precision p : values()) if (p.word().equals(word)) return p;
        return null;
    }

    /** Whether a contraction may multiply on this unit under this precision: any unit at least as accurate as the class. */
    public boolean allows(MatrixUnit unit) {
        return switch (unit) {
            case SIMT -> true;
            case TF32X3 -> this != FP32;
            case TF32 -> this == TF32 || this == BF16;
            case BF16 -> this == BF16;
        };
    }

    /** The tensor-core unit this class prefers for contractions (SIMT where it allows none). */
    public MatrixUnit matrixUnit() {
        return switch (this) {
            case FP32 -> MatrixUnit.SIMT;
            case TF32X3 -> MatrixUnit.TF32X3;
            case TF32 -> MatrixUnit.TF32;
            case BF16 -> MatrixUnit.BF16;
        };
    }
}
