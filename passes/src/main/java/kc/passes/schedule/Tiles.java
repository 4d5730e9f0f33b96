package kc.passes.schedule;

/**
 * How a TILE group (a contraction: see {@link Contraction}) divides its work. A block computes an {@code m} x
 * {@code n} tile of outputs, stepping through the reduction {@code k} terms at a time: each step stages the two
 * operand tiles (m x k and k x n) in shared memory, then every thread adds their products into its own
 * {@code threadM} x {@code threadN} outputs, held in registers. The block has (m / threadM) x (n / threadN) threads.
 * The schedule language writes {@code tile 128x128x16  thread 8x8}.
 *
 * <p>Staging: with {@code stages} S of 2 or more the operand tiles travel by asynchronous copies (cp.async) into a
 * ring of S shared buffers, S - 1 steps in flight while one multiplies; with 1 each step's loads wait in registers
 * while the step before multiplies, through one buffer; 0 leaves it to {@link #ring}.
 *
 * <p>Order: with {@code swizzle} G of 2 or more the blocks walk the output tiles in bands of G tile rows, down each
 * column of a band before the next, so that the blocks resident together share operand panels in L2; 0 or 1 walks
 * them row by row.
 *
 * <p>Sums: under {@code accumulate plain} every product goes straight into an fp32 total, which legality allows for
 * short reductions only. Under {@code accumulate double} a thread sums a run of r products plainly, then adds the
 * run's sum to a double-word total by Fast2Sum, which loses nothing once the total outgrows a run (and at most one
 * rounding of the run before): only the runs' own rounding errors remain, about
 * sqrt(K r) terms' worth where a plain sum of K terms has K (see {@link #compensationRun}).
 */
public record Tiles(int m, int n, int k, int threadM, int threadN, int warpM, int warpN, MatrixUnit unit, int stages, int swizzle) {
    /** SIMT tiles: each thread threadM x threadN outputs. */
    public Tiles(int m, int n, int k, int threadM, int threadN) { this(m, n, k, threadM, threadN, 0, 0, MatrixUnit.SIMT, 0, 0); }

    /** Tensor-core tiles: each warp warpM x warpN outputs. */
    public static Tiles mma(int m, int n, int k, int warpM, int warpN, MatrixUnit unit) { return new Tiles(m, n, k, 0, 0, warpM, warpN, unit, 0, 0); }

    /** The same tiles staged through {@code s} buffers (see the class comment). */
    public Tiles withStages(int s) { return new Tiles(m, n, k, threadM, threadN, warpM, warpN, unit, s, swizzle); }

    /** The same tiles walked in bands of {@code g} tile rows (see the class comment). */
    public Tiles withSwizzle(int g) { return new Tiles(m, n, k, threadM, threadN, warpM, warpN, unit, stages, g); }

    /** Threads per block. */
    public int threads() {
        return !unit.tensorCores() ? (m / Math.max(1, threadM)) * (n / Math.max(1, threadN)) : (m / Math.max(1, warpM)) * (n / Math.max(1, warpN)) * 32;
    }

    /**
     * Elements between consecutive reduction terms of a staged tile: the tile's width, padded for tensor cores so
     * that a warp's fragment load falls in 32 different banks. Lane (g, t) reads term t (tf32) or 2t (bf16) at
     * position g: with a padding of 8 (4) the terms' rows start 8 banks apart.
     */
    public int rowStride() { return m + padding(); }
    public int colStride() { return n + padding(); }

    private int padding() {
        return switch (unit) {
            case SIMT -> 0;
            case TF32X3, TF32 -> 8;
            case BF16 -> 4;
        };
    }

    /** Shared memory the two staged operand tiles take, in elements. */
    public int sharedElements() { return k * (rowStride() + colStride()); }

    /**
     * The stages kc picks for these tiles where the factors are plain reads: as many buffers as fit in
     * {@code sharedLimit} bytes, at most {@link #MAX_AUTOMATIC_STAGES}; 1 where not even two fit.
     */
    public int automaticStages(long sharedLimit) {
        return (int) Math.max(1, Math.min(MAX_AUTOMATIC_STAGES, sharedLimit / (4L * sharedElements())));
    }

    /**
     * Buffers of the asynchronous copy ring the lowering builds, or 0 for one buffer filled through registers: the
     * stages given, else {@link #automaticStages} within static shared memory where the factors are plain reads
     * ({@code plainFactors}).
     */
    public int ring(boolean plainFactors) {
        int s = stages > 0 ? stages : plainFactors ? automaticStages(ScheduleLegality.STATIC_SHARED_BYTES) : 1;
        return s >= 2 ? s : 0;
    }

    /** Shared memory the staged operand tiles take with their ring, in bytes. */
    public long sharedBytes(boolean plainFactors) { return 4L * sharedElements() * Math.max(1, ring(plainFactors)); }

    /** Three buffers keep two steps' copies in flight while a third multiplies. */
    public static final int MAX_AUTOMATIC_STAGES = 3;

    /**
     * The run length of a tensor-core sum (a multiple of the instruction's 8 terms), or 0 where none keeps the error
     * in budget: each 3xtf32 product carries about {@link #TF32X3_PRODUCT_TERMS} terms' worth of error squared on
     * top of the runs', and the budget is {@link #TF32X3_ERROR_TERMS}.
     */
    public static int tensorCoreRun(int step, long length) {
        int run = 0;
        for (int r = 8; step % r == 0 && length * (r + TF32X3_PRODUCT_TERMS) <= TF32X3_ERROR_TERMS * TF32X3_ERROR_TERMS; r *= 2) run = r;
        return run;
    }

    /**
     * A 3xtf32 product keeps about 2^-22 of its value in error (the dropped lo.lo, the rounding of each lo): some 14
     * plain-sum terms' worth squared. An estimate from the formats, to be calibrated on a GPU like the plain budget.
     */
    public static final long TF32X3_PRODUCT_TERMS = 14;
    /**
     * Terms a tensor-core sum may accumulate plainly, in the instruction's own fp32 accumulators. Those truncate
     * rather than round (each mma aligns and adds toward zero), so their error grows with every step and does not
     * average out: on an H100, 3xtf32 plain sums of 256 terms (level1/11, a 4-D tensor times a matrix, normal(0, 2)
     * data) missed 1e-4 against float64 on 0.03% of the outputs. Longer sums run {@link #tensorCoreRun} terms into
     * the accumulators, then move them to double-word totals.
     */
    public static final long TENSOR_CORE_PLAIN_TERMS = 32;
    /** The error budget of a tensor-core sum in plain-sum terms' worth: provisional, sqrt 2 over the plain budget. */
    public static final long TF32X3_ERROR_TERMS = 362;

    /**
     * The run length of a compensated sum of {@code length} terms in steps of {@code step}: the longest power of two
     * that divides the step and keeps sqrt(length x run), the terms' worth of rounding error such a sum keeps, within
     * what a plain sum may keep ({@link ScheduleLegality#PLAIN_SUM_LIMIT} terms); 1 at least (a TwoSum per product).
     * Calibrated on an H100 with a 4096 x 4096 matmul of normal(0, 2) data (16.7M outputs, many near 0): plain
     * runs of 32 with plain totals (about 800 terms' worth) missed 1e-4 against float64 on 200 outputs; the error
     * falls with the terms' worth, and at 256 none is expected to miss.
     */
    public static int compensationRun(int step, long length) {
        long limit = ScheduleLegality.PLAIN_SUM_LIMIT;
        int run = 1;
        while (step % (2 * run) == 0 && length * 2 * run <= limit * limit) run *= 2;
        return run;
    }

    /** The same tiles with another thread tile. */
    public Tiles withThreadTile(int tm, int tn) { return new Tiles(m, n, k, tm, tn).withStages(stages).withSwizzle(swizzle); }

    @Override public String toString() {
        return m + "x" + n + "x" + k + (unit == MatrixUnit.SIMT ? " thread " + threadM + "x" + threadN : " warp " + warpM + "x" + warpN + " mma " + unit.word())
                + (stages > 0 ? " stages " + stages : "") + (swizzle > 0 ? " swizzle " + swizzle : "");
    }
}
