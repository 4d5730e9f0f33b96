package kc.passes.schedule;

import java.util.List;

/**
 * The tiling parameters of a TILED kernel (and hints for others), over the output dims and the reduction.
 *
 * @param blockTile      output elements per block along each tiled output dim
 * @param threadTile     output elements per thread (the micro-tile) along each tiled output dim
 * @param reductionChunk reduction elements staged per step
 * @param staging        stage operand tiles through shared memory
 * @param vectorWidth    elements per global load/store (1, 2 or 4)
 * @param unroll         unroll factor of the inner reduction loop
 * @param mma            the matrix-unit instruction to use, or NONE
 */
public record Tiling(List<Integer> blockTile, List<Integer> threadTile, int reductionChunk, boolean staging,
                     int vectorWidth, int unroll, MmaKind mma) {
    public Tiling {
        blockTile = List.copyOf(blockTile);
        threadTile = List.copyOf(threadTile);
    }

    /** No tiling: what POINTWISE, BLOCK_REDUCE and SCAN kernels use. */
    public static final Tiling NONE = new Tiling(List.of(), List.of(), 1, false, 1, 1, MmaKind.NONE);

    public enum MmaKind { NONE, M16N8K8_TF32, M16N8K16_F16, M16N8K16_BF16 }
}
