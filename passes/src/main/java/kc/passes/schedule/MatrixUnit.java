package kc.passes.schedule;

/** What multiplies a TILE group's operand tiles. The schedule language writes {@code mma tf32x3}; SIMT is the default. */
public enum MatrixUnit {
    /** Fused multiply-adds on the cores, each thread a threadM x threadN micro-tile: fp32 exact products. */
    SIMT,
    /**
     * Tensor cores (mma.sync m16n8k8 tf32), each warp a warpM x warpN tile, each operand split into a tf32 high part
     * and the tf32 rounding of the rest: a.b = hi.hi + hi.lo + lo.hi (three instructions), about fp32's accuracy.
     */
    TF32X3;

    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
}
