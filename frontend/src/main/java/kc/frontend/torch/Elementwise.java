package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/**
 * The one mechanism behind every elementwise op: broadcasting (numpy rules), PyTorch type promotion (Python
 * scalars are weak and become constants in the body) and a scalar body over the promoted operands.
 */
final class Elementwise {
    private Elementwise() {}

    /** A scalar body over the operands (already cast to the compute type t). */
    @FunctionalInterface
    interface Body { ScalarExpr apply(List<ScalarExpr> xs, DType t); }

    /** How the compute and result dtypes follow from the promoted dtype. */
    enum Kind {
        /** compute and result in the promoted dtype (add, mul, maximum, where...) */
        SAME,
        /** integers and bool promote to float32 (div, exp, sigmoid...) */
        FLOAT,
        /** compute in the promoted dtype, result bool (comparisons) */
        COMPARE,
        /** compute and result bool (logical_and, ~) */
        LOGICAL
    }

    // ---- type promotion ----

    private static int category(DType t) { return t == DType.BOOL ? 0 : t.isFloat() ? 2 : 1; }

    private static DType join(DType a, DType b) {
        if (a == null) return b;
        if (b == null || a == b) return a;
        int ca = category(a), cb = category(b);
        if (ca != cb) return ca > cb ? a : b;
        if ((a == DType.F16 && b == DType.BF16) || (a == DType.BF16 && b == DType.F16)) return DType.F32;
        return a.bytes >= b.bytes ? a : b;
    }

    private static DType scalarType(Object v) {
        if (v instanceof Boolean) return DType.BOOL;
        if (v instanceof Double) return DType.F32;
        return DType.I64;
    }

    /** PyTorch's result_type over tensors (dimensioned before zero-dim) and weak Python scalars. */
    static DType promote(List<Object> operands) {
        DType dimmed = null, zeroDim = null, scalars = null;
        for (Object o : operands) {
            if (o instanceof Tensor t) {
                if (t.rank() > 0) dimmed = join(dimmed, t.dtype());
                else zeroDim = join(zeroDim, t.dtype());
            } else scalars = join(scalars, scalarType(o));
        }
        int cat = -1;
        for (DType d : new DType[] {dimmed, zeroDim, scalars}) if (d != null) cat = Math.max(cat, category(d));
        if (dimmed != null && category(dimmed) == cat) return dimmed;
        if (zeroDim != null && category(zeroDim) == cat) return zeroDim;
        return scalars;
    }

    static boolean isScalar(Object o) { return o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof Integer; }

    static double scalarValue(Object o) {
        if (o instanceof Boolean b) return b ? 1 : 0;
        if (o instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("not a scalar: " + o);
    }

    // ---- broadcasting ----

    static Shape broadcast(CallContext ctx, List<Shape> shapes) {
        int rank = 0;
        for (Shape s : shapes) rank = Math.max(rank, s.rank());
        long[] out = new long[rank];
        java.util.Arrays.fill(out, 1);
        for (int k = 0; k < shapes.size(); k++) {
            Shape s = shapes.get(k);
            for (int i = 0; i < s.rank(); i++) {
                int o = rank - s.rank() + i;
                long d = s.dim(i);
                if (d == 1) continue;
                if (out[o] == 1) out[o] = d;
                else if (out[o] != d) {
                    throw ctx.error("The size of tensor a (" + out[o] + ") must match the size of tensor b (" + d
                            + ") at non-singleton dimension " + o);
                }
            }
        }
        return Shape.of(out);
    }

    /** Reads a tensor of shape s broadcast to rank outRank: size-1 dims read index 0. */
    static IndexMap broadcastMap(Shape s, int outRank) {
        boolean same = s.rank() == outRank;
        for (int i = 0; i < s.rank() && same; i++) same = s.dim(i) != 1;
        if (same) return IndexMap.identity(outRank); // the usual case, and a shared map
        List<IndexExpr> e = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++)
            e.add(s.dim(i) == 1 ? IndexExpr.constant(0) : IndexExpr.dim(outRank - s.rank() + i));
        return new IndexMap(e, null);
    }

    // ---- the mechanism ----

    /** Applies body elementwise to inputs (Tensors and Python scalars) with broadcasting. */
    static Tensor apply(CallContext ctx, String op, List<Object> inputs, DType compute, DType result, Body body) {
        List<Shape> shapes = new ArrayList<>();
        for (Object o : inputs) if (o instanceof Tensor t) shapes.add(t.shape());
        if (shapes.isEmpty()) throw ctx.error(op + "(): expected at least one Tensor argument");
        Shape out = broadcast(ctx, shapes);
        List<Value> operands = new ArrayList<>();
        List<IndexMap> maps = new ArrayList<>();
        Map<Object, Integer> seen = new LinkedHashMap<>();
        List<ScalarExpr> xs = new ArrayList<>();
        for (Object o : inputs) {
            if (o instanceof Tensor t) {
                IndexMap m = broadcastMap(t.shape(), out.rank());
                List<Object> key = List.of(t.value(), m);
                Integer k = seen.get(key);
                if (k == null) {
                    k = operands.size();
                    seen.put(key, k);
                    operands.add(t.value());
                    maps.add(m);
                }
                xs.add(Emit.cast(ScalarExpr.read(k), t.dtype(), compute));
            } else {
                DType st = compute != null ? compute : result;
                xs.add(Emit.c(castScalar(scalarValue(o), st), st));
            }
        }
        return Emit.map(ctx, op, new TensorType(result, out), operands, maps, body.apply(xs, compute));
    }

    /** The dtype of a tensor, or the weak dtype of a Python scalar. */
    static DType typeOf(Object o) { return o instanceof Tensor t ? t.dtype() : scalarType(o); }

    private static double castScalar(double v, DType t) {
        if (t == DType.BOOL) return v != 0 ? 1 : 0;
        if (!t.isFloat()) return v < 0 ? Math.ceil(v) : Math.floor(v);
        if (t == DType.F32) return (float) v;
        return v;
    }

    /** Applies an op of the given kind: derives compute and result dtypes by promotion. */
    static Tensor apply(CallContext ctx, String op, Kind kind, List<Object> inputs, Body body) {
        DType p = promote(inputs);
        DType compute = switch (kind) {
            case SAME, COMPARE -> p;
            case FLOAT -> p.isFloat() ? p : DType.F32;
            case LOGICAL -> DType.BOOL;
        };
        DType result = switch (kind) {
            case SAME, FLOAT -> compute;
            case COMPARE, LOGICAL -> DType.BOOL;
        };
        return apply(ctx, op, inputs, compute, result, body);
    }

    static Tensor unary(CallContext ctx, String op, Kind kind, Tensor x, UnaryOp u) {
        return apply(ctx, op, kind, List.of(x), (xs, t) -> Emit.un(u, xs.get(0)));
    }

    static Tensor binary(CallContext ctx, String op, Kind kind, Object a, Object b, BinaryOp bop) {
        return apply(ctx, op, kind, List.of(a, b), (xs, t) -> Emit.bin(bop, xs.get(0), xs.get(1)));
    }

    /** x cast to dtype (to(), float(), bool()...). Returns x itself when the dtype already matches. */
    static Tensor cast(CallContext ctx, Tensor x, DType to) {
        if (x.dtype() == to) return x;
        return apply(ctx, "to", List.of(x), x.dtype(), to, (xs, t) -> new ScalarExpr.Cast(to, xs.get(0)));
    }

    // ---- convenience used by composites in Java ----

    static Tensor add(CallContext ctx, Object a, Object b) { return binary(ctx, "add", Kind.SAME, a, b, BinaryOp.ADD); }
    static Tensor sub(CallContext ctx, Object a, Object b) { return binary(ctx, "sub", Kind.SAME, a, b, BinaryOp.SUB); }
    static Tensor mul(CallContext ctx, Object a, Object b) { return binary(ctx, "mul", Kind.SAME, a, b, BinaryOp.MUL); }
    static Tensor div(CallContext ctx, Object a, Object b) { return binary(ctx, "div", Kind.FLOAT, a, b, BinaryOp.DIV); }
}
