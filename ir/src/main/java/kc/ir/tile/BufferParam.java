package kc.ir.tile;

/**
 * A global-memory buffer the kernel receives as a pointer argument, in parameter order.
 *
 * @param numel  elements (static: shapes are static), so renderers and checkers know the extent
 * @param access what the kernel does with it; READ buffers may be rendered const / __restrict__ / ld.global.nc
 */
public record BufferParam(String name, ScalarType elem, long numel, Access access) {
    public enum Access { READ, WRITE, READ_WRITE }
}
