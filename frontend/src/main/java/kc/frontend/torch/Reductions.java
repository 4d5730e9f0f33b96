package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op.Reduction;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/** The one reduction mechanism: a Generic over the kept dims with the reduced dims as its reduction domain. */
final class Reductions {
    private Reductions() {}

    /**
     * The reduced dims from a dim argument: None (all), an int, or a tuple/list of ints. Sorted, unique,
     * non-negative.
     */
    static boolean[] dims(CallContext ctx, Object dim, int rank) {
        boolean[] r = new boolean[rank];
        if (dim == null || dim == Py.NONE) { java.util.Arrays.fill(r, true); return r; }
        long[] ds = Args.intSeq(dim);
        if (ds == null) {
            Long one = Args.asInt(dim);
            if (one == null) throw ctx.error("dim must be an int or a tuple of ints, not " + Args.typeName(dim));
            ds = new long[] {one};
        }
        if (ds.length == 0) { java.util.Arrays.fill(r, true); return r; }
        for (long d : ds) {
            int k = Emit.dim(ctx, d, rank);
            if (rank == 0) continue;
            if (r[k]) throw ctx.error("dim " + k + " appears multiple times in the list of dims");
            r[k] = true;
        }
        return r;
    }

    static boolean[] oneDim(CallContext ctx, long d, int rank) {
        boolean[] r = new boolean[rank];
        if (rank > 0) r[Emit.dim(ctx, d, rank)] = true;
        return r;
    }

    /** Shape after reducing. */
    static Shape outShape(Shape s, boolean[] reduced, boolean keepdim) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (!reduced[i]) out.add(s.dim(i));
            else if (keepdim) out.add(1L);
        }
        return Shape.of(out);
    }

    static long count(Shape s, boolean[] reduced) {
        long n = 1;
        for (int i = 0; i < s.rank(); i++) if (reduced[i]) n *= s.dim(i);
        return n;
    }

    /**
     * Reduces x over the marked dims. The body is pre(x cast to compute); the result has dtype result.
     */
    static Tensor reduce(CallContext ctx, String op, Tensor x, boolean[] reduced, boolean keepdim, Reduction red,
                         DType compute, DType result, UnaryOperator<ScalarExpr> pre) {
        Shape s = x.shape();
        Shape out = outShape(s, reduced, keepdim);
        List<Long> reduceDims = new ArrayList<>();
        List<IndexExpr> map = new ArrayList<>();
        int kept = 0;
        for (int i = 0; i < s.rank(); i++) {
            if (reduced[i]) {
                map.add(IndexExpr.dim(out.rank() + reduceDims.size()));
                reduceDims.add(s.dim(i));
                if (keepdim) kept++;
            } else map.add(IndexExpr.dim(kept++));
        }
        ScalarExpr body = pre.apply(Emit.cast(ScalarExpr.read(0), x.dtype(), compute));
        if (reduceDims.isEmpty() && red != Reduction.ARGMAX && red != Reduction.ARGMIN) {
            // Nothing to reduce (a 0-dim tensor): the body alone.
            return Emit.map(ctx, op, new TensorType(result, out), List.of(x.value()), List.of(new IndexMap(map, null)),
                    Emit.cast(body, compute, result));
        }
        return Emit.generic(ctx, op, new TensorType(result, out), List.of(x.value()), List.of(new IndexMap(map, null)),
                Shape.of(reduceDims), body, red);
    }

    static DType sumType(DType t) { return t.isFloat() ? t : DType.I64; }

    static Tensor sum(CallContext ctx, Tensor x, boolean[] dims, boolean keepdim, DType dtype) {
        DType t = dtype != null ? dtype : sumType(x.dtype());
        return reduce(ctx, "sum", x, dims, keepdim, Reduction.SUM, t, t, e -> e);
    }

    static Tensor mean(CallContext ctx, Tensor x, boolean[] dims, boolean keepdim, DType dtype) {
        DType t = dtype != null ? dtype : x.dtype();
        if (!t.isFloat()) throw ctx.error("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: " + x.dtype().name());
        Tensor s = reduce(ctx, "mean", x, dims, keepdim, Reduction.SUM, t, t, e -> e);
        long n = count(x.shape(), dims);
        return Elementwise.apply(ctx, "mean", List.of(s), t, t, (xs, tt) -> Emit.bin(BinaryOp.DIV, xs.get(0), Emit.c(n, tt)));
    }

    static Tensor prod(CallContext ctx, Tensor x, boolean[] dims, boolean keepdim, DType dtype) {
        DType t = dtype != null ? dtype : sumType(x.dtype());
        return reduce(ctx, "prod", x, dims, keepdim, Reduction.PROD, t, t, e -> e);
    }

    static Tensor amax(CallContext ctx, String op, Tensor x, boolean[] dims, boolean keepdim, boolean max) {
        return reduce(ctx, op, x, dims, keepdim, max ? Reduction.MAX : Reduction.MIN, x.dtype(), x.dtype(), e -> e);
    }

    static Tensor argmax(CallContext ctx, String op, Tensor x, boolean[] dims, boolean keepdim, boolean max) {
        return reduce(ctx, op, x, dims, keepdim, max ? Reduction.ARGMAX : Reduction.ARGMIN, x.dtype(), DType.I64, e -> e);
    }

    static Tensor any(CallContext ctx, String op, Tensor x, boolean[] dims, boolean keepdim, boolean all) {
        return reduce(ctx, op, x, dims, keepdim, all ? Reduction.MIN : Reduction.MAX, DType.BOOL, DType.BOOL, e -> e);
    }

    /** var with Bessel's correction (correction=1 unbiased, 0 biased): mean((x - mean)^2) * n / (n - correction). */
    static Tensor var(CallContext ctx, String op, Tensor x, boolean[] dims, boolean keepdim, double correction) {
        DType t = x.dtype().isFloat() ? x.dtype() : DType.F32;
        Tensor xf = Elementwise.cast(ctx, x, t);
        Tensor m = mean(ctx, xf, dims, true, null);
        Tensor d = Elementwise.apply(ctx, op, List.of(xf, m), t, t, (xs, tt) -> {
            ScalarExpr diff = Emit.bin(BinaryOp.SUB, xs.get(0), xs.get(1));
            return Emit.bin(BinaryOp.MUL, diff, diff);
        });
        Tensor s = reduce(ctx, op, d, dims, keepdim, Reduction.SUM, t, t, e -> e);
        double denom = Math.max(0, count(x.shape(), dims) - correction);
        return Elementwise.apply(ctx, op, List.of(s), t, t, (xs, tt) -> Emit.bin(BinaryOp.DIV, xs.get(0), Emit.c(denom, tt)));
    }

    /** Vector p-norm over dims: p=2 (and 'fro'), 1, inf, -inf, 0 and general p. */
    static Tensor norm(CallContext ctx, String op, Tensor x, double p, boolean[] dims, boolean keepdim) {
        DType t = x.dtype().isFloat() ? x.dtype() : DType.F32;
        if (p == Double.POSITIVE_INFINITY || p == Double.NEGATIVE_INFINITY)
            return reduce(ctx, op, x, dims, keepdim, p > 0 ? Reduction.MAX : Reduction.MIN, t, t, e -> Emit.un(UnaryOp.ABS, e));
        if (p == 0)
            return reduce(ctx, op, x, dims, keepdim, Reduction.SUM, t, t,
                    e -> new ScalarExpr.Cast(t, Emit.bin(BinaryOp.NE, e, Emit.c(0, t))));
        if (p == 1) return reduce(ctx, op, x, dims, keepdim, Reduction.SUM, t, t, e -> Emit.un(UnaryOp.ABS, e));
        if (p == 2) {
            Tensor s = reduce(ctx, op, x, dims, keepdim, Reduction.SUM, t, t, e -> Emit.bin(BinaryOp.MUL, e, e));
            return Elementwise.unary(ctx, op, Elementwise.Kind.FLOAT, s, UnaryOp.SQRT);
        }
        Tensor s = reduce(ctx, op, x, dims, keepdim, Reduction.SUM, t, t,
                e -> Emit.bin(BinaryOp.POW, Emit.un(UnaryOp.ABS, e), Emit.c(p, t)));
        return Elementwise.apply(ctx, op, List.of(s), t, t, (xs, tt) -> Emit.bin(BinaryOp.POW, xs.get(0), Emit.c(1.0 / p, tt)));
    }

    /** log(sum(exp(x - m))) + m with m the max over dims (taken as 0 where it is infinite), as PyTorch does. */
    static Tensor logsumexp(CallContext ctx, Tensor x, boolean[] dims, boolean keepdim) {
        DType t = x.dtype().isFloat() ? x.dtype() : DType.F32;
        Tensor xf = Elementwise.cast(ctx, x, t);
        Tensor m = amax(ctx, "logsumexp", xf, dims, true, true);
        Tensor mf = Elementwise.apply(ctx, "logsumexp", List.of(m), t, t, (xs, tt) -> Emit.sel(
                Emit.bin(BinaryOp.EQ, Emit.un(UnaryOp.ABS, xs.get(0)), Emit.c(Double.POSITIVE_INFINITY, tt)), Emit.c(0, tt), xs.get(0)));
        Tensor e = Elementwise.apply(ctx, "logsumexp", List.of(xf, mf), t, t,
                (xs, tt) -> Emit.un(UnaryOp.EXP, Emit.bin(BinaryOp.SUB, xs.get(0), xs.get(1))));
        Tensor s = reduce(ctx, "logsumexp", e, dims, keepdim, Reduction.SUM, t, t, v -> v);
        Tensor mk = keepdim ? mf : Views.squeezeDims(ctx, "logsumexp", mf, dims);
        return Elementwise.apply(ctx, "logsumexp", List.of(s, mk), t, t,
                (xs, tt) -> Emit.bin(BinaryOp.ADD, Emit.un(UnaryOp.LOG, xs.get(0)), xs.get(1)));
    }
}
