package kc.ir.graph;

import java.util.List;

/**
 * The dtype a scalar body computes, by PyTorch's promotion rules reduced to what the IR can see: comparisons
 * and logic give bool, true division and transcendental functions give a float, arithmetic promotes along
 * bool &lt; integer &lt; float (the wider type of a kind wins).
 */
public final class ScalarTypes {
    private ScalarTypes() {}

    /** The dtype of e when operand k has dtype operandTypes.get(k); reads of missing operands count as F32. */
    public static DType infer(ScalarExpr e, List<DType> operandTypes) {
        return switch (e) {
            case ScalarExpr.Read r -> r.operand() >= 0 && r.operand() < operandTypes.size() ? operandTypes.get(r.operand()) : DType.F32;
            case ScalarExpr.Index i -> DType.I64;
            case ScalarExpr.Reduced r -> r.dtype();
            case ScalarExpr.Const c -> c.dtype();
            case ScalarExpr.Cast c -> c.to();
            case ScalarExpr.Select s -> promote(infer(s.a(), operandTypes), infer(s.b(), operandTypes));
            case ScalarExpr.Unary u -> switch (u.op()) {
                case NOT -> DType.BOOL;
                case NEG, ABS, SIGN, FLOOR, CEIL, ROUND -> infer(u.a(), operandTypes);
                case EXP, LOG, SQRT, RSQRT, RECIP, TANH, SIGMOID, ERF, SIN, COS, LOG1P, EXPM1 -> toFloat(infer(u.a(), operandTypes));
            };
            case ScalarExpr.Binary b -> switch (b.op()) {
                case EQ, NE, LT, LE, GT, GE, AND, OR -> DType.BOOL;
                case DIV, ATAN2 -> toFloat(promote(infer(b.a(), operandTypes), infer(b.b(), operandTypes)));
                case ADD, SUB, MUL, FLOORDIV, MOD, POW, MAX, MIN -> promote(infer(b.a(), operandTypes), infer(b.b(), operandTypes));
            };
        };
    }

    /**
     * Like {@link #infer}, but literals are weak: they take the type of what they combine with, since PyTorch's
     * wrapped Python scalars often do (masked_fill of an int tensor with 0.0 stays int). Returns null when the
     * type comes from literals alone. The verifier uses this so it flags only types that tensors force.
     */
    public static DType inferFromOperands(ScalarExpr e, List<DType> operandTypes) {
        return switch (e) {
            case ScalarExpr.Const c -> null;
            case ScalarExpr.Read r -> infer(r, operandTypes);
            case ScalarExpr.Index i -> DType.I64;
            case ScalarExpr.Reduced r -> r.dtype();
            case ScalarExpr.Cast c -> c.to();
            case ScalarExpr.Select s -> promoteWeak(inferFromOperands(s.a(), operandTypes), inferFromOperands(s.b(), operandTypes));
            case ScalarExpr.Unary u -> {
                DType a = inferFromOperands(u.a(), operandTypes);
                yield a == null ? null : infer(new ScalarExpr.Unary(u.op(), new ScalarExpr.Const(0, a)), operandTypes);
            }
            case ScalarExpr.Binary b -> switch (b.op()) {
                case EQ, NE, LT, LE, GT, GE, AND, OR -> DType.BOOL;
                default -> {
                    DType t = promoteWeak(inferFromOperands(b.a(), operandTypes), inferFromOperands(b.b(), operandTypes));
                    yield t == null ? null : b.op() == ScalarExpr.BinaryOp.DIV || b.op() == ScalarExpr.BinaryOp.ATAN2 ? toFloat(t) : t;
                }
            };
        };
    }

        /** In an epilogue: the type of the first Reduced in e, or null when there is none. */
    public static DType reducedType(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Reduced r -> r.dtype();
            case ScalarExpr.Cast c -> reducedType(c.a());
            case ScalarExpr.Unary u -> reducedType(u.a());
            case ScalarExpr.Binary b -> { DType t = reducedType(b.a()); yield t != null ? t : reducedType(b.b()); }
            case ScalarExpr.Select s -> {
                DType t = reducedType(s.cond());
                if (t == null) t = reducedType(s.a());
                yield t != null ? t : reducedType(s.b());
            }
            case ScalarExpr.Read r -> null;
            case ScalarExpr.Index i -> null;
            case ScalarExpr.Const c -> null;
        };
    }

    private static DType promoteWeak(DType a, DType b) {
        return a == null ? b : b == null ? a : promote(a, b);
    }

    /** 0 bool, 1 integer, 2 float. */
    public static int category(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case I32, I64 -> 1;
            case F16, BF16, F32, F64 -> 2;
        };
    }

    /** The common type of a and b. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        int ca = category(a), cb = category(b);
        if (ca != cb) return ca > cb ? a : b;
        if (ca == 1) return DType.I64;
        // two different floats
        if (a == DType.F64 || b == DType.F64) return DType.F64;
        return DType.F32; // F32 with a half type, or F16 with BF16
    }

    /** Integers and bools become the default float (F32). */
    public static DType toFloat(DType t) { return t.isFloat() ? t : DType.F32; }
}
