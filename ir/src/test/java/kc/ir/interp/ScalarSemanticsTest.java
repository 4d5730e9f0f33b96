package kc.ir.interp;

import static kc.ir.graph.ScalarExpr.BinaryOp.*;
import static kc.ir.graph.ScalarExpr.UnaryOp.*;
import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Scalar semantics of bodies against Python/PyTorch values worked out by hand (or by Python's math module). */
class ScalarSemanticsTest {
    /** Applies body elementwise to a 1-D F64 input. */
    static double[] apply(ScalarExpr body, DType result, double... xs) {
        GraphBuilder b = new GraphBuilder("s");
        Value x = b.input("x", TensorType.of(DType.F64, xs.length));
        Value out = map(b, TensorType.of(result, xs.length), body, List.of(x), map(d(0)));
        return Interpreter.run(b.build(List.of(out)), List.of(HostTensor.ofDoubles(Shape.of(xs.length), xs)), Map.of()).get(0).data();
    }

    static double[] apply(ScalarExpr body, double... xs) { return apply(body, DType.F64, xs); }

    static ScalarExpr k(double v) { return new ScalarExpr.Const(v, DType.F64); }

    @Test
    void erfMatchesPythonsMathErf() {
        double[] xs = {0, 0.1, 0.5, 1, 2, -3, 4.5, 5.9, 6.5, 1e-10};
        double[] want = {0.0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
                -0.9999779095030014, 0.9999999998033839, 0.9999999999999999, 1.0, 1.1283791670955126e-10};
        double[] got = apply(un(ERF, in(0)), xs);
        for (int i = 0; i < xs.length; i++) assertEquals(want[i], got[i], 2e-16 + 1e-15 * Math.abs(want[i]), "erf(" + xs[i] + ")");
        assertTrue(Double.isNaN(apply(un(ERF, in(0)), Double.NaN)[0]));
    }

    @Test
    void floorDivisionAndModuloFollowPython() {
        // Python: -7 // 2 = -4, -7 % 2 = 1, -7.5 // 2 = -4.0, -7.5 % 2 = 0.5, 7.5 // -2 = -4.0, 7.5 % -2 = -0.5
        assertArrayEquals(new double[] {-4, -4, 3}, apply(bin(FLOORDIV, in(0), k(2)), -7, -7.5, 7.5));
        assertArrayEquals(new double[] {1, 0.5, 1.5}, apply(bin(MOD, in(0), k(2)), -7, -7.5, 7.5));
        assertArrayEquals(new double[] {-4, -0.5}, new double[] {apply(bin(FLOORDIV, in(0), k(-2)), 7.5)[0], apply(bin(MOD, in(0), k(-2)), 7.5)[0]});
        assertEquals(Double.POSITIVE_INFINITY, apply(bin(FLOORDIV, in(0), k(0)), 1)[0], "float division by zero is inf");
    }

    @Test
    void roundingAndCasts() {
        assertArrayEquals(new double[] {2, -0.0, 4, -2}, apply(un(ROUND, in(0)), 2.5, -0.5, 3.5, -2.5), "half to even");
        assertArrayEquals(new double[] {2, -2, 0, 1}, apply(new ScalarExpr.Cast(DType.I64, in(0)), DType.I64, 2.9, -2.9, 0.5, 1.0), "truncation");
        assertArrayEquals(new double[] {1, 0, 1}, apply(new ScalarExpr.Cast(DType.BOOL, in(0)), DType.BOOL, -0.1, 0, Double.NaN), "nonzero is true");
        // an integer result stores exact integers even if the body is sloppy
        assertArrayEquals(new double[] {2, -2}, apply(in(0), DType.I32, 2.7, -2.7));
    }

    @Test
    void transcendentalsAndActivations() {
        double x = 0.75;
        double[] got = apply(un(SIGMOID, in(0)), x, -800, 800);
        assertEquals(1 / (1 + Math.exp(-x)), got[0], 1e-16);
        assertEquals(0.0, got[1], "no overflow for large negative inputs");
        assertEquals(1.0, got[2]);
        assertEquals(1 / Math.sqrt(x), apply(un(RSQRT, in(0)), x)[0], 1e-16);
        assertEquals(Math.log1p(x), apply(un(LOG1P, in(0)), x)[0]);
        assertArrayEquals(new double[] {-1, 0, 1}, apply(un(SIGN, in(0)), -3, 0, 2));
        assertEquals(Math.atan2(x, -1), apply(bin(ATAN2, in(0), k(-1)), x)[0]);
        assertEquals(Math.pow(x, 2.5), apply(bin(POW, in(0), k(2.5)), x)[0]);
        // gelu(x) = x * 0.5 * (1 + erf(x / sqrt 2)), composed from primitives
        ScalarExpr gelu = bin(MUL, bin(MUL, in(0), k(0.5)), bin(ADD, k(1), un(ERF, bin(DIV, in(0), k(Math.sqrt(2))))));
        assertEquals(0.8413447460685429, apply(gelu, 1.0)[0], 1e-15);
    }

    @Test
    void logicAndComparisons() {
        assertArrayEquals(new double[] {1, 0, 0}, apply(bin(AND, bin(GT, in(0), k(0)), bin(LT, in(0), k(2))), DType.BOOL, 1, 3, -1));
        assertArrayEquals(new double[] {0, 1, 1}, apply(bin(OR, bin(LE, in(0), k(-1)), bin(GE, in(0), k(3))), DType.BOOL, 1, 3, -1));
        assertArrayEquals(new double[] {0, 1}, apply(un(NOT, bin(EQ, in(0), k(1))), DType.BOOL, 1, 2));
        assertArrayEquals(new double[] {1, 0}, apply(bin(NE, in(0), in(0)), DType.BOOL, Double.NaN, 2), "NaN != NaN");
        assertArrayEquals(new double[] {5, -5}, apply(new ScalarExpr.Select(bin(GT, in(0), k(0)), k(5), k(-5)), 1, -1));
    }

    @Test
    void emptyAndScalarShapes() {
        GraphBuilder b = new GraphBuilder("edge");
        Value x = b.input("x", f32(0, 3));
        Value y = b.input("y", f32());
        // summing over a zero-length dim gives 0, a product 1; a rank-0 result holds one element
        Value sum = reduce(b, f32(3), dims(0), Op.Reduction.SUM, in(0), List.of(x), map(d(1), d(0)));
        Value prod = reduce(b, f32(3), dims(0), Op.Reduction.PROD, in(0), List.of(x), map(d(1), d(0)));
        Value empty = map(b, f32(0, 3), bin(ADD, in(0), in(1)), List.of(x, y), map(d(0), d(1)), map());
        Value twice = map(b, f32(), bin(MUL, in(0), f(2)), List.of(y), map());
        List<HostTensor> got = Interpreter.run(b.build(List.of(sum, prod, empty, twice)),
                List.of(HostTensor.zeros(x.type()), HostTensor.scalar(DType.F32, 1.5)), Map.of());
        assertArrayEquals(new double[] {0, 0, 0}, got.get(0).data());
        assertArrayEquals(new double[] {1, 1, 1}, got.get(1).data());
        assertEquals(0, got.get(2).numel());
        assertArrayEquals(new double[] {3}, got.get(3).data());
    }

    @Test
    void largeOpsRunInParallelAndAgreeWithPlainLoops() {
        // big enough to take the multi-threaded path: out[i, j] = sum_k a[i, k] * b[j, k] + i - j
        int n = 300, m = 200, kk = 50;
        GraphBuilder g = new GraphBuilder("big");
        Value a = g.input("a", f32(n, kk));
        Value bb = g.input("b", f32(m, kk));
        Value mm = reduce(g, f32(n, m), dims(kk), Op.Reduction.SUM, bin(MUL, in(0), in(1)), List.of(a, bb), map(d(0), d(2)), map(d(1), d(2)));
        Value out = map(g, f32(n, m), bin(ADD, in(0), bin(SUB, idx(0), idx(1))), List.of(mm), map(d(0), d(1)));
        java.util.Random rng = new java.util.Random(3);
        HostTensor ta = HostTensor.generate(a.type(), i -> rng.nextGaussian()), tb = HostTensor.generate(bb.type(), i -> rng.nextGaussian());
        HostTensor got = Interpreter.run(g.build(List.of(out)), List.of(ta, tb), Map.of()).get(0);
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) {
            double s = 0;
            for (int k = 0; k < kk; k++) s += ta.get(i, k) * tb.get(j, k);
            assertEquals(s + i - j, got.get(i, j), 1e-5 * Math.max(1, Math.abs(s + i - j)), "element " + i + ", " + j); // float32 storage
        }
    }

    @Test
    void runAllKeepsIntermediates() {
        GraphBuilder b = new GraphBuilder("all");
        Value x = b.input("x", f32(2));
        Value y = map(b, f32(2), bin(MUL, in(0), f(3)), List.of(x), map(d(0)));
        Value z = map(b, f32(2), bin(ADD, in(0), f(1)), List.of(y), map(d(0)));
        var all = Interpreter.runAll(b.build(List.of(z)), List.of(HostTensor.ofFloats(Shape.of(2), 1, 2)), Map.of());
        assertArrayEquals(new double[] {3, 6}, all.get(y).data());
        assertArrayEquals(new double[] {4, 7}, all.get(z).data());
    }
}
