package kc.ir.tile;

/** A block-wide shared-memory array (CUDA __shared__, Metal threadgroup), statically sized. */
public record SharedArray(String name, ScalarType elem, int length) {
    public long bytes() { return (long) length * elem.bytes; }
}
