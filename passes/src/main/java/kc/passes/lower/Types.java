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

    /** The type warp shuffles and reductions can carry for a compute type (bool travels as i32). */
    static TType warp(TType t) { return t.elem() == ScalarType.BOOL ? TType.I32 : t; }
}
