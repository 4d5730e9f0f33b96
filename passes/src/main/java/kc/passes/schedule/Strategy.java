package kc.passes.schedule;

/**
 * How a fusion group's outputs map onto the GPU's threads. The schedule language spells these in lower case
 * ({@code strategy block}).
 */
public enum Strategy {
    /**
     * One thread per output element, or per {@code vector} consecutive ones read and written with vector accesses;
     * {@code items} of those per thread, one grid apart. Any reduction runs serially in the thread.
     */
    POINTWISE,
    /** One warp per output element: its lanes stride over the reduction and combine with shuffles. */
    WARP,
    /** One block per output element: warps combine through shared memory after the shuffles. */
    BLOCK,
    /**
     * Each output's reduction split over {@code splits} blocks that write partial results, then a small second
     * kernel (a warp per output) merges them in a fixed order and applies the epilogue: for reductions to few
     * outputs (losses, full sums, a norm's statistics), so the whole GPU takes part. No atomics: runs are bit-identical.
     */
    GRID,
    /** One thread per scanned line (cumsum, cumprod). */
    SCAN,
    /**
     * A contraction (matmul, a convolution as implicit GEMM) in tiles: a block per output tile, operand tiles staged
     * in shared memory, a register micro-tile per thread (see {@link Tiles}).
     */
    TILE,
    /**
     * A windowed reduction (pooling, a stencil) in tiles: a block per tile of outputs, the input footprint of the
     * tile staged in shared memory once, each thread {@code items} outputs of the tile (see {@link Window}).
     */
    WINDOW;

    /** The word the schedule language uses. */
    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** True when the strategy combines a reduction across threads. */
    public boolean cooperative() { return this == WARP || this == BLOCK || this == GRID; }
}
