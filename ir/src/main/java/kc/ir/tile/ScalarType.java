package kc.ir.tile;

import kc.ir.graph.DType;

/** Element types of kernel values and buffers. */
public enum ScalarType {
    F32(4), F16(2), BF16(2), F64(8), I32(4), I64(8), U32(4), BOOL(1);

    public final int bytes;

    ScalarType(int bytes) { this.bytes = bytes; }

    public boolean isFloat() { return this == F32 || this == F16 || this == BF16 || this == F64; }
    public boolean isInt() { return this == I32 || this == I64 || this == U32; }

    /** The storage type of a Graph IR dtype. */
    public static ScalarType of(DType d) {
        return switch (d) {
            case F32 -> F32; case F16 -> F16; case BF16 -> BF16; case F64 -> F64;
            case I32 -> I32; case I64 -> I64; case BOOL -> BOOL;
        };
    }
}
