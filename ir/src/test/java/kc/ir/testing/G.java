package kc.ir.testing;

import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Short-hands for building graphs by hand in tests. */
public final class G {
    private G() {}

    public static IndexExpr d(int i) { return IndexExpr.dim(i); }
    public static IndexExpr c(long v) { return IndexExpr.constant(v); }
    public static IndexExpr add(IndexExpr... es) {
        IndexExpr r = es[0];
        for (int i = 1; i < es.length; i++) r = IndexExpr.add(r, es[i]);
        return r;
    }
    public static IndexExpr mul(IndexExpr a, long f) { return IndexExpr.mul(a, f); }
    public static IndexExpr floordiv(IndexExpr a, long k) { return new IndexExpr.FloorDiv(a, k); }
    public static IndexExpr mod(IndexExpr a, long k) { return new IndexExpr.Mod(a, k); }
    public static IndexExpr exactdiv(IndexExpr a, long k) { return new IndexExpr.ExactDiv(a, k); }

    public static IndexMap map(IndexExpr... es) { return IndexMap.of(es); }
    public static IndexMap padded(double pad, IndexExpr... es) { return new IndexMap(List.of(es), pad); }

    public static ScalarExpr in(int k) { return ScalarExpr.read(k); }
    public static ScalarExpr idx(int d) { return new ScalarExpr.Index(d); }
    public static ScalarExpr f(double v) { return ScalarExpr.f32(v); }
    public static ScalarExpr bin(ScalarExpr.BinaryOp op, ScalarExpr a, ScalarExpr b) { return ScalarExpr.binary(op, a, b); }
    public static ScalarExpr un(ScalarExpr.UnaryOp op, ScalarExpr a) { return ScalarExpr.unary(op, a); }

    public static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }

    public static Origin origin(String composite) { return new Origin(composite, 0, "", kc.ir.graph.SourcePos.UNKNOWN); }

    /** A Generic without reduction. */
    public static Value map(GraphBuilder b, TensorType type, ScalarExpr body, List<Value> operands, IndexMap... maps) {
        return b.add(new Op.Generic(Shape.SCALAR, List.of(maps), body, Op.Reduction.NONE), operands, type, Origin.NONE);
    }

    /** A Generic reducing over reduceDims. */
    public static Value reduce(GraphBuilder b, TensorType type, long[] reduceDims, Op.Reduction r, ScalarExpr body,
                               List<Value> operands, IndexMap... maps) {
        return b.add(new Op.Generic(Shape.of(reduceDims), List.of(maps), body, r), operands, type, Origin.NONE);
    }

    public static long[] dims(long... d) { return d; }
}
