package kc.passes.schedule;

/**
 * What multiplies a TILE group's operand tiles. The schedule language writes {@code mma tf32x3} (or {@code tf32},
 * {@code bf16}); SIMT is the default. Tensor-core units run mma.sync with each warp a warpM x warpN tile of m16n8
 * instruction tiles.
 */
public enum MatrixUnit {
    /** Fused multiply-adds on the cores, each thread a threadM x threadN micro-tile: fp32 exact products. */
    SIMT(0, 0),
    /**
     * Tensor cores (m16n8k8 tf32), each operand split into a tf32 high part and the tf32 rounding of the rest:
     * a.b = hi.hi + hi.lo + lo.hi (three instructions), about fp32's accuracy.
     */
    TF32X3(8, 3),
    /** Tensor cores (m16n8k8 tf32), each operand rounded to tf32 once (10 bits of mantissa): PyTorch's TF32 class. */
    TF32(8, 1),
    /** Tensor cores (m16n8k16 bf16), each operand rounded to bf16 (7 bits of mantissa), fp32 sums: PyTorch's bf16 class. */
    BF16(16, 1);

    /** Reduction terms one instruction takes (0 for the cores). */
    public final int termsPerInstruction;
    /** Instructions per product of operand tiles (three for the split). */
    public final int instructionsPerProduct;

    MatrixUnit(int termsPerInstruction, int instructionsPerProduct) {
        this.termsPerInstruction = termsPerInstruction;
        this.instructionsPerProduct = instructionsPerProduct;
    }

    public boolean tensorCores() { return this != SIMT; }

    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
}
