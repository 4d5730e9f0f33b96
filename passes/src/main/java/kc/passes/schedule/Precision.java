package kc.passes.schedule;

import java.util.Locale;

/**
 * The numerics a compile promises: which matrix units its contractions may use and the tolerance it is verified at.
 * {@code --precision} on compile, run, check and bench; recorded in the schedule ({@code precision tf32x3}) and in
 * plan.json. Both classes meet MEASURING.md's 1e-4. PyTorch's reduced classes (tf32, bf16 at 1e-2) are not offered
 * yet: on KernelBench's normal(0, 2) trials a 4096-term tf32 dot product errs by about 0.05 x a term's size, so
 * near-zero outputs miss even 1e-2's absolute tolerance; what such a class should promise needs deciding first.
 */
public enum Precision {
    /** SIMT fused multiply-adds only: exact fp32 products. */
    FP32(1e-4),
    /** Tensor cores with each fp32 operand split in two tf32 parts (three products): fp32-accurate; the default. */
    TF32X3(1e-4);

    /** allclose's atol and rtol for fp32 outputs computed at this precision. */
    public final double tolerance;

    Precision(double tolerance) { this.tolerance = tolerance; }

    /** kc's default: the fastest class that meets the fp32 tolerance. */
    public static final Precision DEFAULT = TF32X3;

    public String word() { return name().toLowerCase(Locale.ROOT); }

    /** The precision named by a word of the language or the command line, or null. */
    public static Precision of(String word) {
        for (Precision p : values()) if (p.word().equals(word)) return p;
        return null;
    }

    /** Whether a contraction may multiply on this unit under this precision. */
    public boolean allows(MatrixUnit unit) {
        return switch (unit) {
            case SIMT -> true;
            case TF32X3 -> this != FP32;
        };
    }
}
