package kc.passes.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarTypes;
import kc.ir.graph.Shape;
import kc.ir.graph.Value;

/** Substitution and inspection of index and scalar expressions, and operand lists, shared by the rules. */
public final class RuleSupport {
    private RuleSupport() {}

    /** e with each Dim(d) replaced by at.get(d): a producer's map seen from its consumer's domain. */
    public static IndexExpr compose(IndexExpr e, List<IndexExpr> at) {
        return switch (e) {
            case IndexExpr.Dim d -> at.get(d.d());
            case IndexExpr.Const c -> c;
            case IndexExpr.Add a -> IndexExpr.add(compose(a.a(), at), compose(a.b(), at));
            case IndexExpr.Mul m -> IndexExpr.mul(compose(m.a(), at), m.factor());
            case IndexExpr.FloorDiv f -> new IndexExpr.FloorDiv(compose(f.a(), at), f.divisor());
            case IndexExpr.Mod m -> new IndexExpr.Mod(compose(m.a(), at), m.divisor());
            case IndexExpr.ExactDiv q -> new IndexExpr.ExactDiv(compose(q.a(), at), q.divisor());
        };
    }

    /** A loop, not a stream: fusing an unrolled RNN composes 100k maps, and streams are slow under the C1 JIT. */
    public static IndexMap compose(IndexMap inner, IndexMap outer) {
        IndexExpr[] composed = new IndexExpr[inner.rank()];
        for (int i = 0; i < composed.length; i++) composed[i] = compose(inner.exprs().get(i), outer.exprs());
        return new IndexMap(List.of(composed), inner.pad());
    }

    /**
     * e with Read(k) replaced by reads.apply(k) (null keeps it) and Index(d) by index.apply(d) (null: the caller
     * checked there is none to replace); Reduced by {@code reduced} when that is non-null.
     */
    public static ScalarExpr substitute(ScalarExpr e, IntFunction<ScalarExpr> reads, IntFunction<ScalarExpr> index, ScalarExpr reduced) {
        return switch (e) {
            case ScalarExpr.Read r -> { ScalarExpr x = reads.apply(r.operand()); yield x == null ? r : x; }
            case ScalarExpr.Index i -> { ScalarExpr x = index.apply(i.dim()); yield x == null ? i : x; }
            case ScalarExpr.Reduced r -> reduced == null ? r : reduced;
            case ScalarExpr.Const c -> c;
            case ScalarExpr.Cast c -> new ScalarExpr.Cast(c.to(), substitute(c.a(), reads, index, reduced));
            case ScalarExpr.Unary u -> new ScalarExpr.Unary(u.op(), substitute(u.a(), reads, index, reduced));
            case ScalarExpr.Binary b -> new ScalarExpr.Binary(b.op(), substitute(b.a(), reads, index, reduced), substitute(b.b(), reads, index, reduced));
            case ScalarExpr.Select s -> new ScalarExpr.Select(substitute(s.cond(), reads, index, reduced),
                    substitute(s.a(), reads, index, reduced), substitute(s.b(), reads, index, reduced));
        };
    }

    /** Arithmetic operations in e (reads, coordinates, literals and casts cost nothing). */
    public static int operations(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> 0;
            case ScalarExpr.Index i -> 0;
            case ScalarExpr.Reduced r -> 0;
            case ScalarExpr.Const c -> 0;
            case ScalarExpr.Cast c -> operations(c.a());
            case ScalarExpr.Unary u -> weight(u.op()) + operations(u.a());
            case ScalarExpr.Binary b -> (b.op() == ScalarExpr.BinaryOp.POW ? 8 : 1) + operations(b.a()) + operations(b.b());
            case ScalarExpr.Select s -> 1 + operations(s.cond()) + operations(s.a()) + operations(s.b());
        };
    }

    /** Transcendental functions cost several simple operations. */
    private static int weight(ScalarExpr.UnaryOp op) {
        return switch (op) {
            case NEG, ABS, NOT, SIGN, FLOOR, CEIL, ROUND -> 1;
            case SQRT, RSQRT, RECIP -> 2;
            case EXP, LOG, TANH, SIGMOID, ERF, SIN, COS, LOG1P, EXPM1 -> 8;
        };
    }

    public static boolean usesIndex(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Index i -> true;
            case ScalarExpr.Read r -> false;
            case ScalarExpr.Reduced r -> false;
            case ScalarExpr.Const c -> false;
            case ScalarExpr.Cast c -> usesIndex(c.a());
            case ScalarExpr.Unary u -> usesIndex(u.a());
            case ScalarExpr.Binary b -> usesIndex(b.a()) || usesIndex(b.b());
            case ScalarExpr.Select s -> usesIndex(s.cond()) || usesIndex(s.a()) || usesIndex(s.b());
        };
    }

    /**
     * A producer's body as a value of the producer's dtype: stored results round to their dtype, so an inlined
     * body whose own type differs is cast; literal-only bodies are cast too (their type would otherwise be weak).
     */
    public static ScalarExpr asDtype(ScalarExpr body, DType dtype, List<DType> operandTypes) {
        DType strong = ScalarTypes.inferFromOperands(body, operandTypes);
        return strong == dtype ? body : new ScalarExpr.Cast(dtype, body);
    }

    /** Whether map m reads an operand of the given shape at exactly the domain point (size-1 dims may read 0). */
    public static boolean isIdentity(IndexMap m, Shape domain) {
        if (m.pad() != null || m.rank() != domain.rank()) return false;
        for (int i = 0; i < m.rank(); i++) {
            IndexExpr e = m.exprs().get(i);
            boolean ok = e instanceof IndexExpr.Dim d && d.d() == i
                    || domain.dim(i) == 1 && e instanceof IndexExpr.Const c && c.value() == 0;
            if (!ok) return false;
        }
        return true;
    }

    /** The domain of a Generic node: result dims then reduction dims. */
    public static long[] domain(Shape result, Op.Generic g) {
        long[] dims = new long[result.rank() + g.reduceShape().rank()];
        for (int d = 0; d < result.rank(); d++) dims[d] = result.dim(d);
        for (int d = 0; d < g.reduceShape().rank(); d++) dims[result.rank() + d] = g.reduceShape().dim(d);
        return dims;
    }

    /** Whether every Index(d) in e has index[d] to stand for it. */
    public static boolean indexDimsCovered(ScalarExpr e, ScalarExpr[] index) {
        return switch (e) {
            case ScalarExpr.Index i -> i.dim() < index.length && index[i.dim()] != null;
            case ScalarExpr.Read r -> true;
            case ScalarExpr.Reduced r -> true;
            case ScalarExpr.Const c -> true;
            case ScalarExpr.Cast c -> indexDimsCovered(c.a(), index);
            case ScalarExpr.Unary u -> indexDimsCovered(u.a(), index);
            case ScalarExpr.Binary b -> indexDimsCovered(b.a(), index) && indexDimsCovered(b.b(), index);
            case ScalarExpr.Select s -> indexDimsCovered(s.cond(), index) && indexDimsCovered(s.a(), index) && indexDimsCovered(s.b(), index);
        };
    }

    /**
     * A Generic's operands being assembled by a rule: values with their maps, where the same value read through the
     * same map is one operand (fusing a producer often brings in what the consumer already reads).
     */
    public static final class Operands {
        public final List<Value> values = new ArrayList<>();
        public final List<IndexMap> maps = new ArrayList<>();

        /** The index of (v, map), added when new. */
        public int add(Value v, IndexMap map) {
            for (int i = 0; i < values.size(); i++)
                if (values.get(i).id() == v.id() && maps.get(i).equals(map)) return i;
            values.add(v);
            maps.add(map);
            return values.size() - 1;
        }

        public Op.Generic generic(Op.Generic like, ScalarExpr body, ScalarExpr epilogue) {
            return new Op.Generic(like.reduceShape(), maps, body, like.reduction(), epilogue);
        }
    }
}
