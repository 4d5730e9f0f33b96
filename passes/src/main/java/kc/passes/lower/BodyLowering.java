package kc.passes.lower;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import kc.ir.graph.DType;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarTypes;
import kc.ir.tile.ScalarType;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TType;

/**
 * Translates a Generic's {@link ScalarExpr} body at one domain point into Tile IR, with PyTorch's semantics:
 * promotion as the Graph types say (literals are weak: they take their partner's type unless of a higher kind),
 * true division, floor division and modulo with Python's signs, logic on bools. Each operand is read at most once
 * per evaluation.
 */
final class BodyLowering {
    private final KernelBuilder kb;
    private final List<DType> operandTypes;
    private final IntFunction<TExpr> read;
    private final TExpr[] coords;
    private final Map<Integer, TExpr> reads = new HashMap<>();
    private final TExpr reduced;

    /**
     * @param read   emits the read of operand k (in its compute type)
     * @param coords the domain coordinates in the kernel's index type
     * @param reduced an epilogue's combined value (in its compute type), or null for a body
     */
    BodyLowering(KernelBuilder kb, List<DType> operandTypes, IntFunction<TExpr> read, TExpr[] coords, TExpr reduced) {
        this.kb = kb;
        this.reduced = reduced;
        this.operandTypes = operandTypes;
        this.read = read;
        this.coords = coords;
    }

    /** The body's value in the compute type of its Graph dtype. */
    TExpr lower(ScalarExpr e) { return kb.let("v", expr(e)); }

    /** The same, not bound to a variable. */
    TExpr expression(ScalarExpr e) { return expr(e); }

    /** The dtype e computes in, literals weak. */
    DType typeOf(ScalarExpr e) { return typeOf(e, operandTypes); }

    /** The dtype e computes in over operands of these dtypes, literals weak. */
    static DType typeOf(ScalarExpr e, List<DType> operandTypes) {
        DType t = ScalarTypes.inferFromOperands(e, operandTypes);
        return t != null ? t : ScalarTypes.infer(e, operandTypes);
    }

    /** The common type of two sides with PyTorch's weak-literal rule. */
    private DType common(ScalarExpr a, ScalarExpr b) {
        DType wa = ScalarTypes.inferFromOperands(a, operandTypes), wb = ScalarTypes.inferFromOperands(b, operandTypes);
        if (wa != null && wb != null) return ScalarTypes.promote(wa, wb);
        if (wa == null && wb == null) return ScalarTypes.promote(ScalarTypes.infer(a, operandTypes), ScalarTypes.infer(b, operandTypes));
        DType strong = wa != null ? wa : wb;
        DType literal = wa != null ? ScalarTypes.infer(b, operandTypes) : ScalarTypes.infer(a, operandTypes);
        if (ScalarTypes.category(literal) > ScalarTypes.category(strong)) return literal.isFloat() ? DType.F32 : DType.I64;
        return strong;
    }

    private TExpr as(ScalarExpr e, DType t) { return convert(expr(e), Types.compute(t)); }

    /** A conversion with PyTorch's meaning (to bool: nonzero). */
    static TExpr convert(TExpr e, TType to) {
        if (e.type().equals(to)) return e;
        if (e instanceof TExpr.Const c) {
            double v = c.value();
            if (to.elem() == ScalarType.BOOL) v = v != 0 ? 1 : 0;
            else if (to.elem().isInt()) v = (double) (long) v;
            return new TExpr.Const(v, to);
        }
        return new TExpr.Cast(e, to);
    }

    private TExpr expr(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> reads.computeIfAbsent(r.operand(), k -> kb.let("x" + k, read.apply(k)));
            case ScalarExpr.Index i -> TExpr.cast(coords[i.dim()], TType.I64);
            case ScalarExpr.Reduced r -> {
                if (reduced == null) throw new IllegalStateException("a body uses the combined value, which only an epilogue has");
                yield reduced;
            }
            case ScalarExpr.Const c -> new TExpr.Const(c.value(), Types.compute(c.dtype()));
            case ScalarExpr.Cast c -> convert(expr(c.a()), Types.compute(c.to()));
            case ScalarExpr.Select s -> {
                DType t = common(s.a(), s.b());
                TExpr cond = kb.let("c", convert(expr(s.cond()), TType.BOOL));
                yield TExpr.select(cond, as(s.a(), t), as(s.b(), t));
            }
            case ScalarExpr.Unary u -> unary(u);
            case ScalarExpr.Binary b -> binary(b);
        };
    }

    private TExpr unary(ScalarExpr.Unary u) {
        DType t = typeOf(u.a());
        return switch (u.op()) {
            case NOT -> {
                TExpr a = expr(u.a());
                yield a.type().elem() == ScalarType.BOOL ? TExpr.unary(UnOp.NOT, a)
                        : TExpr.binary(BinOp.EQ, a, new TExpr.Const(0, a.type()));
            }
            case NEG, ABS, SIGN -> {
                TExpr a = t == DType.BOOL ? as(u.a(), DType.I32) : as(u.a(), t);
                TExpr r = TExpr.unary(u.op() == ScalarExpr.UnaryOp.NEG ? UnOp.NEG : u.op() == ScalarExpr.UnaryOp.ABS ? UnOp.ABS : UnOp.SIGN, a);
                yield t == DType.BOOL ? convert(r, TType.BOOL) : r;
            }
            case FLOOR, CEIL, ROUND -> {
                if (!t.isFloat()) yield as(u.a(), t);
                UnOp op = u.op() == ScalarExpr.UnaryOp.FLOOR ? UnOp.FLOOR : u.op() == ScalarExpr.UnaryOp.CEIL ? UnOp.CEIL : UnOp.ROUND_EVEN;
                yield TExpr.unary(op, as(u.a(), t));
            }
            default -> {
                DType ft = ScalarTypes.toFloat(t);
                yield TExpr.unary(UnOp.valueOf(u.op().name()), as(u.a(), ft));
            }
        };
    }

    private TExpr binary(ScalarExpr.Binary b) {
        DType t = common(b.a(), b.b());
        return switch (b.op()) {
            case AND, OR -> TExpr.binary(b.op() == ScalarExpr.BinaryOp.AND ? BinOp.AND : BinOp.OR, as(b.a(), DType.BOOL), as(b.b(), DType.BOOL));
            case EQ, NE, LT, LE, GT, GE -> TExpr.binary(BinOp.valueOf(b.op().name()), as(b.a(), t), as(b.b(), t));
            case DIV, ATAN2 -> {
                DType ft = ScalarTypes.toFloat(t);
                yield TExpr.binary(b.op() == ScalarExpr.BinaryOp.DIV ? BinOp.DIV : BinOp.ATAN2, as(b.a(), ft), as(b.b(), ft));
            }
            case POW -> {
                if (t.isFloat()) yield TExpr.binary(BinOp.POW, as(b.a(), t), as(b.b(), t));
                // integer powers: exact in f64 for the magnitudes integer tensors hold
                TType f64 = TType.of(ScalarType.F64);
                yield convert(TExpr.binary(BinOp.POW, convert(as(b.a(), t), f64), convert(as(b.b(), t), f64)), Types.compute(t));
            }
            case ADD, SUB, MUL, MAX, MIN, FLOORDIV, MOD -> {
                // bools do arithmetic as i32 and convert back (True + True is True)
                DType at = t == DType.BOOL ? DType.I32 : t;
                TExpr x = kb.let("a", as(b.a(), at)), y = kb.let("b", as(b.b(), at));
                TExpr r = switch (b.op()) {
                    case ADD -> TExpr.binary(BinOp.ADD, x, y);
                    case SUB -> TExpr.binary(BinOp.SUB, x, y);
                    case MUL -> TExpr.binary(BinOp.MUL, x, y);
                    case MAX -> TExpr.binary(BinOp.MAX, x, y);
                    case MIN -> TExpr.binary(BinOp.MIN, x, y);
                    case FLOORDIV -> floorDiv(x, y);
                    default -> mod(x, y);
                };
                yield t == DType.BOOL ? convert(r, TType.BOOL) : r;
            }
        };
    }

    private TExpr zero(TType t) { return new TExpr.Const(0, t); }

    /** Python's a // b. */
    private TExpr floorDiv(TExpr a, TExpr b) {
        if (a.type().elem().isFloat()) return TExpr.unary(UnOp.FLOOR, TExpr.binary(BinOp.DIV, a, b));
        TExpr d = safeDivisor(b);
        TExpr q = kb.let("q", TExpr.binary(BinOp.DIV, a, d));
        TExpr r = kb.let("r", TExpr.binary(BinOp.REM, a, d));
        return TExpr.select(signsDiffer(r, b), TExpr.binary(BinOp.SUB, q, new TExpr.Const(1, q.type())), q);
    }

    /** Python's a % b: the sign of the divisor. */
    private TExpr mod(TExpr a, TExpr b) {
        TExpr r = kb.let("r", TExpr.binary(BinOp.REM, a, a.type().elem().isFloat() ? b : safeDivisor(b)));
        return TExpr.select(signsDiffer(r, b), TExpr.binary(BinOp.ADD, r, b), r);
    }

    /** Integer division by zero traps on CPUs; PyTorch raises instead. Divide by one so the kernel survives. */
    private TExpr safeDivisor(TExpr b) {
        if (b instanceof TExpr.Const c && c.value() != 0) return b;
        return kb.let("d", TExpr.select(TExpr.binary(BinOp.EQ, b, zero(b.type())), new TExpr.Const(1, b.type()), b));
    }

    /** r != 0 and r, b of opposite signs. */
    private TExpr signsDiffer(TExpr r, TExpr b) {
        TExpr z = zero(r.type());
        return TExpr.binary(BinOp.AND, TExpr.binary(BinOp.NE, r, z),
                TExpr.binary(BinOp.NE, TExpr.binary(BinOp.LT, r, z), TExpr.binary(BinOp.LT, b, z)));
    }
}
