package kc.ir.testing;

import static kc.ir.graph.ScalarExpr.BinaryOp.*;
import static kc.ir.testing.G.*;

import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.SourcePos;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Small graphs that use every op, map and body form, for printer and JSON tests. */
public final class SampleGraphs {
    private SampleGraphs() {}

    /** conv2d + bias, softmax over channels, a padded max pool, a cumsum, a reshape and a constant. */
    public static Graph everything() {
        GraphBuilder b = new GraphBuilder("sample");
        SourcePos pos = new SourcePos("model.py", 12, 13);
        Origin conv = new Origin("conv2d", 1, "conv", pos);
        Origin softmax = new Origin("softmax", 0, "", new SourcePos("model.py", 20, 16));
        Value x = b.input("x", f32(2, 3, 6, 6));
        Value w = b.param("conv.weight", f32(4, 3, 3, 3));
        Value bias = b.param("conv.bias", f32(4));
        Value y = b.add(new Op.Generic(Shape.of(3, 3, 3), List.of(
                        padded(0.0, d(0), d(4), add(mul(d(2), 2), d(5), c(-1)), add(mul(d(3), 2), d(6), c(-1))),
                        map(d(1), d(4), d(5), d(6))),
                bin(MUL, in(0), in(1)), Op.Reduction.SUM), List.of(x, w), f32(2, 4, 3, 3), conv);
        Value yb = b.add(new Op.Generic(Shape.SCALAR, List.of(map(d(0), d(1), d(2), d(3)), map(d(1))),
                bin(ADD, in(0), in(1)), Op.Reduction.NONE), List.of(y, bias), f32(2, 4, 3, 3), conv);
        Value mx = b.add(new Op.Generic(Shape.of(4), List.of(map(d(0), d(3), d(1), d(2))), in(0), Op.Reduction.MAX),
                List.of(yb), f32(2, 3, 3), softmax);
        Value e = b.add(new Op.Generic(Shape.SCALAR, List.of(map(d(0), d(1), d(2), d(3)), map(d(0), d(2), d(3))),
                un(ScalarExpr.UnaryOp.EXP, bin(SUB, in(0), in(1))), Op.Reduction.NONE), List.of(yb, mx), f32(2, 4, 3, 3), softmax);
        Value pool = b.add(new Op.Generic(Shape.of(2, 2), List.of(
                        padded(Double.NEGATIVE_INFINITY, d(0), d(1), add(d(2), d(4), c(-1)), add(d(3), d(5), c(-1)))),
                in(0), Op.Reduction.MAX), List.of(e), f32(2, 4, 3, 3), Origin.NONE);
        Value cum = b.add(new Op.Scan(1, Op.Reduction.SUM, true), List.of(pool), pool.type(), Origin.NONE);
        var flat = add(mul(d(0), 9), d(1));
        Value flatView = b.add(new Op.Generic(Shape.SCALAR, List.of(map(floordiv(flat, 36), mod(floordiv(flat, 9), 4),
                        floordiv(mod(flat, 9), 3), mod(flat, 3))), in(0), Op.Reduction.NONE),
                List.of(cum), f32(8, 9), Origin.NONE);
        Value k = b.add(new Op.Constant(List.of(0.5, Double.NaN, Double.POSITIVE_INFINITY, -0.0)), List.of(),
                TensorType.of(DType.F64, 2, 2), Origin.NONE);
        Value sel = b.add(new Op.Generic(Shape.SCALAR, List.of(map(d(0), d(1))),
                new ScalarExpr.Select(bin(AND, bin(GE, idx(0), idx(1)), un(ScalarExpr.UnaryOp.NOT, bin(EQ, in(0), f(0)))),
                        new ScalarExpr.Cast(DType.I64, bin(POW, un(ScalarExpr.UnaryOp.NEG, in(0)), new ScalarExpr.Const(2, DType.I64))),
                        new ScalarExpr.Const(-1, DType.I64)), Op.Reduction.NONE), List.of(k), TensorType.of(DType.I64, 2, 2), Origin.NONE);
        Value gather = b.add(new Op.Generic(Shape.SCALAR, List.of(new kc.ir.graph.IndexMap(
                        List.of(exactdiv(add(d(0), c(1)), 2), d(1)), Double.NaN)), in(0), Op.Reduction.NONE),
                List.of(k), TensorType.of(DType.F64, 3, 2), Origin.NONE);
        return b.build(List.of(flatView, sel, gather));
    }
}
