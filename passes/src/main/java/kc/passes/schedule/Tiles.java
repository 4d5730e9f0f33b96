package kc.passes.schedule;

/**
 * How a TILE group (a contraction: see {@link Contraction}) divides its work. A block computes an {@code m} x
 * {@code n} tile of outputs, stepping through the reduction {@code k} terms at a time: each step stages the two
 * operand tiles (m x k and k x n) in shared memory, then every thread adds their products into its own
 * {@code threadM} x {@code threadN} outputs, held in registers. The block has (m / threadM) x (n / threadN) threads.
 * The schedule language writes {@code tile 128x128x16  thread 8x8}.
 *
 * <p>Sums: under {@code accumulate plain} every product goes straight into an fp32 total, which legality allows for
 * short reductions only. Under {@code accumulate double} a thread sums a run of r products plainly, then adds the
 * run's sum to a double-word total by TwoSum, which loses nothing: only the runs' own rounding errors remain, about
 * sqrt(K r) terms' worth where a plain sum of K terms has K (see {@link #compensationRun}).
 */
public record Tiles(int m, int n, int k, int threadM, int threadN) {
    /** Threads per block. */
    public int threads() { return (m / Math.max(1, threadM)) * (n / Math.max(1, threadN)); }

    /** Shared memory the two staged operand tiles take, in elements. */
    public int sharedElements() { return k * (m + n); }

    /**
     * The error budget of a compensated sum, in the unit of a plain sum's length: a sum of K terms in runs of r keeps
     * about sqrt(K r) terms' worth of rounding error. 128 keeps the error of a 4096-term dot product of normal(0, 2)
     * data (16M outputs, many near 0) inside 1e-4; the 256 that plain sums may reach does not (measured on an H100:
     * a 4096 x 4096 matmul summed in plain runs of 32 missed 1e-4 on 29544 outputs).
     */
    public static final long COMPENSATED_ERROR_TERMS = 128;

    /**
     * The run length of a compensated sum of {@code length} terms in steps of {@code step}: the longest power of two
     * that divides the step with length x run within {@link #COMPENSATED_ERROR_TERMS} squared (1 at least: a
     * TwoSum per product).
     */
    public static int compensationRun(int step, long length) {
        int run = 1;
        while (step % (2 * run) == 0 && length * 2 * run <= COMPENSATED_ERROR_TERMS * COMPENSATED_ERROR_TERMS) run *= 2;
        return run;
    }

    /** The same tiles with another thread tile. */
    public Tiles withThreadTile(int tm, int tn) { return new Tiles(m, n, k, tm, tn); }

    @Override public String toString() { return m + "x" + n + "x" + k + " thread " + threadM + "x" + threadN; }
}
