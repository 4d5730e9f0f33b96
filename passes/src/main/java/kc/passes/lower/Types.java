package kc.passes.lower;

import kc.ir.graph.DType;
import kc.ir.tile.ScalarType;
import kc.ir.tile.TType;

/** Storage and compute register types of Graph dtypes. */
final class Types {
    private Types() {}

    static TType storage(DType d) { return TType.of(ScalarType.of(d)); }

    /** Half types compute in f32 (loads widen, stores round); every other dtype computes as itself. */
    static TType compute(DType d) {
        return switch (d) {
            case F16, BF16, F32 -> TType.F32;
            case F64 -> TType.of(ScalarType.F64);
            case I32 -> TType.I32;
            case I64 -> TType.I64;
            case BOOL -> TType.BOOL;
        };
    }

    /** The Graph dtype of a scalar register type (a scratch buffer's elements). */
    static DType dtype(TType t) {
        return switch (t.elem()) {
            case F32 -> DType.F32; case F16 -> DType.F16; case BF16 -> DType.BF16; case F64 -> DType.F64;
            case I32 -> DType.I32; case I64 -> DType.I64; case BOOL -> DType.BOOL;
            case U32 -> throw new IllegalArgumentException("no Graph dtype for u32");
        };
    }

    /** The type warp shuffles and reductions can carry for a compute type (bool travels as i32). */
    static TType warp(TType t) { return t.elem() == ScalarType.BOOL ? TType.I32 : t; }
}
