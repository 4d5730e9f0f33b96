package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Adds Graph IR nodes for the torch library, each with the origin of the PyTorch op being emitted. */
final class Emit {
    private Emit() {}

    static Tensor generic(CallContext ctx, String op, TensorType type, List<Value> operands, List<IndexMap> maps,
                          Shape reduceShape, ScalarExpr body, Op.Reduction reduction) {
        Value v = ctx.graph().add(new Op.Generic(reduceShape, maps, body, reduction), operands, type, ctx.origin(op));
        return new Tensor(v);
    }

    /** An elementwise (no reduction) Generic. */
    static Tensor map(CallContext ctx, String op, TensorType type, List<Value> operands, List<IndexMap> maps, ScalarExpr body) {
        return generic(ctx, op, type, operands, maps, Shape.SCALAR, body, Op.Reduction.NONE);
    }

    /** A view: out[i] = x[map(i)] (reads outside x yield pad when pad is non-null). */
    static Tensor view(CallContext ctx, String op, Tensor x, Shape outShape, List<IndexExpr> exprs, Double pad) {
        return map(ctx, op, new TensorType(x.dtype(), outShape), List.of(x.value()), List.of(new IndexMap(exprs, pad)),
                ScalarExpr.read(0));
    }

    /** A tensor computed from its index alone (no operands): arange, zeros, eye, masks. */
    static Tensor fromIndex(CallContext ctx, String op, DType dtype, Shape shape, ScalarExpr body) {
        return map(ctx, op, new TensorType(dtype, shape), List.of(), List.of(), body);
    }

    static Tensor scan(CallContext ctx, String op, Tensor x, int dim, Op.Reduction combiner, boolean reverse, DType dtype) {
        Value v = ctx.graph().add(new Op.Scan(dim, combiner, reverse), List.of(x.value()), new TensorType(dtype, x.shape()), ctx.origin(op));
        return new Tensor(v);
    }

    static Tensor constant(CallContext ctx, String op, DType dtype, Shape shape, List<Double> values) {
        Value v = ctx.graph().add(new Op.Constant(values), List.of(), new TensorType(dtype, shape), ctx.origin(op));
        return new Tensor(v);
    }

    /** Identity index expressions Dim(0..rank-1). */
    static List<IndexExpr> dims(int rank) {
        List<IndexExpr> r = new ArrayList<>();
        for (int i = 0; i < rank; i++) r.add(IndexExpr.dim(i));
        return r;
    }

    static ScalarExpr cast(ScalarExpr e, DType from, DType to) {
        return to == null || from == to ? e : new ScalarExpr.Cast(to, e);
    }

    static ScalarExpr c(double v, DType t) { return new ScalarExpr.Const(v, t); }
    static ScalarExpr i64(long v) { return new ScalarExpr.Const(v, DType.I64); }
    static ScalarExpr idx(int d) { return new ScalarExpr.Index(d); }
    static ScalarExpr bin(ScalarExpr.BinaryOp op, ScalarExpr a, ScalarExpr b) { return new ScalarExpr.Binary(op, a, b); }
    static ScalarExpr un(ScalarExpr.UnaryOp op, ScalarExpr a) { return new ScalarExpr.Unary(op, a); }
    static ScalarExpr sel(ScalarExpr c, ScalarExpr a, ScalarExpr b) { return new ScalarExpr.Select(c, a, b); }

    static Shape shape(long... dims) { return Shape.of(dims); }

    /** Normalizes a possibly negative dim for a tensor of the given rank, with PyTorch's message. */
    static int dim(CallContext ctx, long d, int rank) {
        int r = Math.max(rank, 1);
        if (d < -r || d >= r)
            throw ctx.error("Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1) + "], but got " + d + ")");
        return (int) (d < 0 ? d + r : d);
    }
}
