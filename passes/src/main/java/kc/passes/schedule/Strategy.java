package kc.passes.schedule;

/** How a kernel maps its work onto threads. */
public enum Strategy {
    /** One thread per output element; any reduction runs sequentially in that thread. */
    POINTWISE,
    /**
     * One block per output element; the block's threads split the reduction, combine with warp shuffles, then
     * across warps through shared memory.
     */
    BLOCK_REDUCE,
    /** One thread per scanned line (a Scan node). */
    SCAN,
    /** Shared-memory staged tiles with per-thread micro-tiles, for contractions (see {@link Tiling}); not yet lowered. */
    TILED
}
