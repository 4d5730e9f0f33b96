package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/** Tensor factories: deterministic ones are Generics computed from the index; random ones are placeholders. */
final class Factories {
    private Factories() {}

    static Shape checkedShape(CallContext ctx, long[] dims) {
        for (long d : dims) if (d < 0) throw ctx.error("Trying to create tensor with negative dimension " + d + ": " + Views.shapeStr(dims));
        return Shape.of(dims);
    }

    static Tensor full(CallContext ctx, String op, Shape shape, double value, DType dtype) {
        return Emit.fromIndex(ctx, op, dtype, shape, Emit.c(value, dtype));
    }

    /** The dtype of torch.full's fill value when none is given. */
    static DType fillType(Object v) {
        if (v instanceof Boolean) return DType.BOOL;
        if (v instanceof Long) return DType.I64;
        return DType.F32;
    }

    /** torch.rand & co.: contents unknown to kc; the evaluator cuts them into inputs or parameters. */
    static Tensor random(CallContext ctx, String op, Shape shape, DType dtype) {
        var pos = ctx.origin(op).pos();
        return new Tensor(ctx.graph().placeholder(new TensorType(dtype, shape), "torch." + op + " at " + pos));
    }

    static Tensor arange(CallContext ctx, double start, double end, double step, boolean anyFloat, DType dtype) {
        if (step == 0) throw ctx.error("step must be nonzero");
        if ((step > 0 && start > end) || (step < 0 && start < end))
            throw ctx.error("upper bound and larger bound inconsistent with step sign");
        long n = (long) Math.ceil((end - start) / step);
        DType t = dtype != null ? dtype : anyFloat ? DType.F32 : DType.I64;
        ScalarExpr i = Emit.idx(0);
        ScalarExpr body = Emit.bin(BinaryOp.ADD, Emit.c(start, DType.F64), Emit.bin(BinaryOp.MUL, new ScalarExpr.Cast(DType.F64, i), Emit.c(step, DType.F64)));
        if (start == 0 && step == 1) body = i;
        return Emit.fromIndex(ctx, "arange", t, Shape.of(n), Emit.cast(body, body == i ? DType.I64 : DType.F64, t));
    }

    /** torch.linspace, symmetric like PyTorch: the first half steps up from start, the second down from end. */
    static Tensor linspace(CallContext ctx, double start, double end, long steps, DType dtype) {
        if (steps < 0) throw ctx.error("number of steps must be non-negative");
        DType t = dtype != null ? dtype : DType.F32;
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        ScalarExpr i = new ScalarExpr.Cast(DType.F64, Emit.idx(0));
        ScalarExpr up = Emit.bin(BinaryOp.ADD, Emit.c(start, DType.F64), Emit.bin(BinaryOp.MUL, i, Emit.c(step, DType.F64)));
        ScalarExpr down = Emit.bin(BinaryOp.SUB, Emit.c(end, DType.F64),
                Emit.bin(BinaryOp.MUL, Emit.bin(BinaryOp.SUB, Emit.c(steps - 1, DType.F64), i), Emit.c(step, DType.F64)));
        ScalarExpr body = Emit.sel(Emit.bin(BinaryOp.LT, Emit.idx(0), Emit.i64(steps / 2)), up, down);
        return Emit.fromIndex(ctx, "linspace", t, Shape.of(steps), new ScalarExpr.Cast(t, body));
    }

    static Tensor eye(CallContext ctx, long n, long m, DType dtype) {
        DType t = dtype != null ? dtype : DType.F32;
        return Emit.fromIndex(ctx, "eye", t, Shape.of(n, m),
                Emit.sel(Emit.bin(BinaryOp.EQ, Emit.idx(0), Emit.idx(1)), Emit.c(1, t), Emit.c(0, t)));
    }

    /** torch.tensor(data): nested sequences of numbers (or one-element tensors) as an Op.Constant. */
    static Tensor tensorLiteral(CallContext ctx, Object data, DType dtype) {
        if (data instanceof Tensor t) return dtype == null ? t : Elementwise.cast(ctx, t, dtype);
        List<Long> shape = new ArrayList<>();
        Object probe = data;
        while (Args.seq(probe) != null) {
            List<Object> items = Args.seq(probe);
            shape.add((long) items.size());
            if (items.isEmpty()) break;
            probe = items.get(0);
        }
        List<Double> values = new ArrayList<>();
        boolean[] kinds = new boolean[3]; // bool, int, float seen
        flatten(ctx, data, 0, shape, values, kinds);
        DType t = dtype != null ? dtype : kinds[2] ? DType.F32 : kinds[1] ? DType.I64 : kinds[0] ? DType.BOOL : DType.F32;
        List<Double> cast = new ArrayList<>();
        for (double v : values) cast.add(t == DType.F32 ? (double) (float) v : t.isFloat() ? v : t == DType.BOOL ? (v != 0 ? 1.0 : 0.0) : (double) (long) v);
        return Emit.constant(ctx, "tensor", t, Shape.of(shape), cast);
    }

    private static void flatten(CallContext ctx, Object v, int depth, List<Long> shape, List<Double> out, boolean[] kinds) {
        List<Object> items = Args.seq(v);
        if (items != null) {
            if (depth >= shape.size() || items.size() != shape.get(depth))
                throw ctx.error("expected sequence of length " + (depth < shape.size() ? shape.get(depth) : 0) + " at dim " + depth + " (got " + items.size() + ")");
            for (Object o : items) flatten(ctx, o, depth + 1, shape, out, kinds);
            return;
        }
        if (depth != shape.size()) throw ctx.error("Could not infer dtype of " + Args.typeName(v));
        if (v instanceof Boolean b) { kinds[0] = true; out.add(b ? 1.0 : 0.0); }
        else if (v instanceof Long l) { kinds[1] = true; out.add((double) l); }
        else if (v instanceof Double d) { kinds[2] = true; out.add(d); }
        else if (v instanceof Tensor t && t.shape().numel() == 1) {
            kinds[t.dtype().isFloat() ? 2 : t.dtype() == DType.BOOL ? 0 : 1] = true;
            out.add(ConstEval.scalar(ctx, t));
        } else throw ctx.error("Could not infer dtype of " + Args.typeName(v));
    }
}
