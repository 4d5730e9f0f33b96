package kc.ir.tile;

import java.util.List;

/**
 * Per-thread expressions of a kernel. Types are explicit and checked by {@link TileVerifier}: no implicit
 * conversions (a {@link Cast} says where one happens), integer arithmetic is C's (truncating division), and the
 * math functions are the same for every target (renderers choose instructions, not meanings).
 */
public sealed interface TExpr {

    /** The value's register type. */
    TType type();

    /** A literal; integers are exact up to 2^53. */
    record Const(double value, TType type) implements TExpr {}

    record Ref(Var var) implements TExpr {
        @Override public TType type() { return var.type(); }
    }

    /** threadIdx / blockIdx components and the lane within a warp (simdgroup on Metal), all u32-valued as i32. */
    record Special(Reg reg) implements TExpr {
        @Override public TType type() { return TType.I32; }
    }

    record Unary(UnOp op, TExpr a, TType type) implements TExpr {}

    record Binary(BinOp op, TExpr a, TExpr b, TType type) implements TExpr {}

    /**
     * a * b + c rounded once (f32 or f64): with c = -(a * b) rounded, it gives a product's rounding error exactly,
     * which compensated dot products carry.
     */
    record Fma(TExpr a, TExpr b, TExpr c, TType type) implements TExpr {}

    /** cond ? a : b, both sides evaluated (no memory access may depend on cond: use a masked Load for that). */
    record Select(TExpr cond, TExpr a, TExpr b, TType type) implements TExpr {}

    /** Numeric conversion: float to int truncates toward zero, to bool is != 0, f32 to f16/bf16 rounds to nearest even. */
    record Cast(TExpr a, TType type) implements TExpr {}

    /**
     * Reads {@code type.lanes()} consecutive elements of a buffer starting at element {@code index} (aligned to the
     * lane count when vectorised). With a mask, a thread whose mask is false performs no access and gets
     * {@code other} in every lane — the renderers must predicate the access itself, not just select its result.
     */
    record Load(String buffer, Space space, TExpr index, TExpr mask, double other, TType type) implements TExpr {}

    /** Reads element {@code index} of a per-thread array. */
    record LocalLoad(String array, TExpr index, TType type) implements TExpr {}

    /** Component {@code lane} of a vector value. */
    record Lane(TExpr vector, int lane, TType type) implements TExpr {}

    /** A vector value built from its scalar lanes, lane 0 first (what a vector store writes). */
    record Pack(List<TExpr> lanes, TType type) implements TExpr {
        public Pack { lanes = List.copyOf(lanes); }
    }

    /**
     * Reads {@code value} from another lane of the same warp (32 lanes; a Metal simdgroup of 32). All lanes of the
     * warp must execute it together. IDX reads lane {@code lane}; DOWN lane + delta (own value past the end);
     * XOR lane ^ delta.
     */
    record Shuffle(ShuffleKind kind, TExpr value, TExpr laneOrDelta, TType type) implements TExpr {}

    /** Combines {@code value} over the 32 lanes of a warp; every lane gets the result. All lanes must execute it. */
    record WarpReduce(ReduceOp op, TExpr value, TType type) implements TExpr {}

    enum Reg { THREAD_X, THREAD_Y, THREAD_Z, BLOCK_X, BLOCK_Y, BLOCK_Z, LANE }

    enum ShuffleKind { IDX, DOWN, XOR }

    enum ReduceOp { SUM, PROD, MAX, MIN }

    /**
     * Unary math and logic; the float functions follow IEEE/PyTorch semantics (NaN propagates). ROUND_TF32 rounds an
     * f32 to tf32's 10 mantissa bits, to nearest with ties away from zero (PTX's cvt.rna.tf32.f32), as an f32: the
     * high part of a 3xtf32 split. ROUND_TF32_FINITE rounds the same where x is finite and may give anything for a
     * NaN or an infinity: the split's low part, finite wherever its high part is (which carries a NaN or an infinity
     * into the products), for two integer operations where cvt.rna takes four.
     */
    enum UnOp {
        NEG, ABS, EXP, LOG, SQRT, RSQRT, RECIP, TANH, SIGMOID, ERF, SIN, COS, FLOOR, CEIL, ROUND_EVEN, SIGN, NOT, LOG1P, EXPM1, IS_NAN,
        ROUND_TF32, ROUND_TF32_FINITE
    }

    /**
     * Binary operators. On integers DIV truncates and REM is C's remainder; on floats DIV is IEEE division and REM is
     * fmod. MAX/MIN on floats propagate NaN (PyTorch's maximum). AND/OR/XOR are logical on bool, bitwise on ints.
     * Comparisons give bool.
     */
    enum BinOp {
        ADD, SUB, MUL, DIV, REM, MIN, MAX, POW, ATAN2, EQ, NE, LT, LE, GT, GE, AND, OR, XOR, SHL, SHR,
        /** Two f32 rounded to bf16 (to nearest even) in one u32, a in the low half: a 16-bit matrix-unit operand. */
        PACK_BF16X2
    }

    // Small factories that infer the result type, for readable lowering code.
    static TExpr i32(long v) { return new Const(v, TType.I32); }
    static TExpr f32(double v) { return new Const(v, TType.F32); }
    static TExpr ref(Var v) { return new Ref(v); }

    static TExpr binary(BinOp op, TExpr a, TExpr b) {
        TType t = switch (op) {
            case EQ, NE, LT, LE, GT, GE -> TType.BOOL;
            case PACK_BF16X2 -> TType.of(ScalarType.U32);
            default -> a.type();
        };
        return new Binary(op, a, b, t);
    }

    static TExpr unary(UnOp op, TExpr a) {
        return new Unary(op, a, op == UnOp.IS_NAN ? TType.BOOL : a.type());
    }

    static TExpr select(TExpr cond, TExpr a, TExpr b) { return new Select(cond, a, b, a.type()); }
    static TExpr fma(TExpr a, TExpr b, TExpr c) { return new Fma(a, b, c, a.type()); }
    static TExpr cast(TExpr a, TType to) { return a.type().equals(to) ? a : new Cast(a, to); }
    /** The vector of these lanes (all of one scalar type); a single lane is itself. */
    static TExpr pack(List<TExpr> lanes) {
        return lanes.size() == 1 ? lanes.get(0) : new Pack(lanes, new TType(lanes.get(0).type().elem(), lanes.size()));
    }

    /** Every sub-expression, for verifiers and renderers that need to look inside. */
    static List<TExpr> children(TExpr e) {
        return switch (e) {
            case Const c -> List.of();
            case Ref r -> List.of();
            case Special s -> List.of();
            case Unary u -> List.of(u.a());
            case Binary b -> List.of(b.a(), b.b());
            case Select s -> List.of(s.cond(), s.a(), s.b());
            case Fma f -> List.of(f.a(), f.b(), f.c());
            case Cast c -> List.of(c.a());
            case Load l -> l.mask() == null ? List.of(l.index()) : List.of(l.index(), l.mask());
            case LocalLoad l -> List.of(l.index());
            case Lane l -> List.of(l.vector());
            case Pack p -> p.lanes();
            case Shuffle s -> List.of(s.value(), s.laneOrDelta());
            case WarpReduce w -> List.of(w.value());
        };
    }
}
