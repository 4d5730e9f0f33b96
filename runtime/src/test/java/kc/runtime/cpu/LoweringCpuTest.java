package kc.runtime.cpu;

import static kc.ir.graph.IndexExpr.add;
import static kc.ir.graph.IndexExpr.constant;
import static kc.ir.graph.IndexExpr.dim;
import static kc.ir.graph.IndexExpr.mul;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;

/** Hand-built graphs lowered, rendered as CUDA C, run on the CPU shim and compared with the interpreter. */
class LoweringCpuTest {
    private static final Origin O = Origin.NONE;

    private static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }

    private static ScalarExpr r(int k) { return ScalarExpr.read(k); }

    private static ScalarExpr bin(BinaryOp op, ScalarExpr a, ScalarExpr b) { return ScalarExpr.binary(op, a, b); }

    private static IndexExpr sub(IndexExpr a, IndexExpr b) { return add(a, mul(b, -1)); }

    private static void assertAgrees(Graph g) { assertAgrees(g, DefaultScheduler.schedule(g), null); }

    private static void assertAgrees(Graph g, Schedule s, List<HostTensor> inputs) {
        CpuCheck.Result res = CpuCheck.check(g, s, inputs);
        assertTrue(res.passed(), res.message());
    }

    /** nvcc must accept every kernel these tests lowered, for sm_90 and sm_80 (skipped without nvcc). */
    @org.junit.jupiter.api.AfterAll
    static void nvccAcceptsEveryKernel() throws Exception {
        if (!Toolchain.present(Nvcc.available(), "nvcc is not installed: the lowered kernels are not compiled for sm_90 and sm_80")) return;
        String src = kc.codegen.cuda.CudaRenderer.render(CpuCheck.CHECKED);
        for (String arch : List.of("sm_90", "sm_80")) assertEquals(null, Nvcc.compile(src, arch), "nvcc -arch=" + arch);
    }

    @Test
    void elementwiseBroadcastAndRelu() {
        GraphBuilder b = new GraphBuilder("bcast");
        Value x = b.input("x", f32(4, 1, 5)), y = b.input("y", f32(3, 5));
        Value s = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), constant(0), dim(2)), IndexMap.of(dim(1), dim(2))),
                bin(BinaryOp.MAX, bin(BinaryOp.ADD, r(0), r(1)), ScalarExpr.f32(0)), Op.Reduction.NONE), List.of(x, y), f32(4, 3, 5), O);
        assertAgrees(b.build(List.of(s)));
    }

    @Test
    void matmul() {
        GraphBuilder b = new GraphBuilder("mm");
        Value x = b.input("x", f32(8, 16)), w = b.param("w", f32(16, 12));
        Value m = b.add(new Op.Generic(Shape.of(16), List.of(IndexMap.of(dim(0), dim(2)), IndexMap.of(dim(2), dim(1))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM), List.of(x, w), f32(8, 12), O);
        assertAgrees(b.build(List.of(m)));
    }

    @Test
    void conv2dWithPaddingAndStride() {
        GraphBuilder b = new GraphBuilder("conv");
        Value x = b.input("x", f32(2, 2, 7, 7)), w = b.param("w", f32(3, 2, 3, 3));
        // domain: n, co, oh, ow | ci, kh, kw
        IndexMap xm = new IndexMap(List.of(dim(0), dim(4), sub(add(mul(dim(2), 2), dim(5)), constant(1)),
                sub(add(mul(dim(3), 2), dim(6)), constant(1))), 0.0);
        Value c = b.add(new Op.Generic(Shape.of(2, 3, 3), List.of(xm, IndexMap.of(dim(1), dim(4), dim(5), dim(6))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM), List.of(x, w), f32(2, 3, 4, 4), O);
        assertAgrees(b.build(List.of(c)));
    }

    @Test
    void transposedConv1d() {
        // out[o] = sum_{i,k} x[i] w[k] where o = 2i + k - 1, i.e. i = (o + 1 - k) / 2 when exact
        GraphBuilder b = new GraphBuilder("convt");
        Value x = b.input("x", f32(5)), w = b.param("w", f32(3));
        IndexMap xm = new IndexMap(List.of(new IndexExpr.ExactDiv(sub(add(dim(0), constant(1)), dim(1)), 2)), 0.0);
        Value c = b.add(new Op.Generic(Shape.of(3), List.of(xm, IndexMap.of(dim(1))), bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM),
                List.of(x, w), f32(9), O);
        assertAgrees(b.build(List.of(c)));
    }

    @Test
    void maxPoolWithNegativeInfinityPad() {
        GraphBuilder b = new GraphBuilder("pool");
        Value x = b.input("x", f32(1, 2, 5, 5));
        IndexMap xm = new IndexMap(List.of(dim(0), dim(1), sub(add(mul(dim(2), 2), dim(4)), constant(1)),
                sub(add(mul(dim(3), 2), dim(5)), constant(1))), Double.NEGATIVE_INFINITY);
        Value p = b.add(new Op.Generic(Shape.of(3, 3), List.of(xm), r(0), Op.Reduction.MAX), List.of(x), f32(1, 2, 3, 3), O);
        assertAgrees(b.build(List.of(p)));
    }

    private static Graph argmax(long n, Op.Reduction red) {
        GraphBuilder b = new GraphBuilder("argmax");
        Value x = b.input("x", f32(4, n));
        Value a = b.add(new Op.Generic(Shape.of(n), List.of(IndexMap.of(dim(0), dim(1))), r(0), red), List.of(x), TensorType.of(DType.I64, 4), O);
        return b.build(List.of(a));
    }

    private static HostTensor argInput(long n) {
        double[] d = new double[(int) (4 * n)];
        for (int i = 0; i < d.length; i++) d[i] = (i * 7) % 5;      // many ties
        d[(int) n + 3] = Double.NaN;                                  // row 1: a NaN wins
        d[(int) n + (int) n - 2] = Double.NaN;                        // ... the first one
        d[2 * (int) n + (int) n - 1] = 100;                           // row 2: the max at the end
        return HostTensor.of(DType.F32, Shape.of(4, n), d);
    }

    @Test
    void argmaxAndArgminWithTiesAndNaN() {
        for (Op.Reduction red : List.of(Op.Reduction.ARGMAX, Op.Reduction.ARGMIN)) {
            Graph g = argmax(10, red);
            CpuCheck.Result res = CpuCheck.check(g, DefaultScheduler.schedule(g), List.of(argInput(10)));
            assertTrue(res.passed(), res.message());
            assertEquals(3.0, res.outputs().get(0).getFlat(1), "NaN counts as the extreme");
        }
    }

    @Test
    void argmaxAsBlockReduce() {
        Graph g = argmax(600, Op.Reduction.ARGMAX);
        Schedule d = DefaultScheduler.schedule(g);
        Schedule s = d.with(d.groups().get(0).withStrategy(Strategy.BLOCK).withThreads(128));
        CpuCheck.Result res = CpuCheck.check(g, s, List.of(argInput(600)));
        assertTrue(res.passed(), res.message());
        assertEquals(603.0 - 600, res.outputs().get(0).getFlat(1));
        assertEquals(599.0, res.outputs().get(0).getFlat(2));
    }

    @Test
    void softmaxAsAGraph() {
        GraphBuilder b = new GraphBuilder("softmax");
        Value x = b.input("x", f32(3, 7));
        Value mx = b.add(new Op.Generic(Shape.of(7), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.MAX), List.of(x), f32(3), O);
        Value e = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0))),
                ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, bin(BinaryOp.SUB, r(0), r(1))), Op.Reduction.NONE), List.of(x, mx), f32(3, 7), O);
        Value s = b.add(new Op.Generic(Shape.of(7), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(e), f32(3), O);
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0))),
                bin(BinaryOp.DIV, r(0), r(1)), Op.Reduction.NONE), List.of(e, s), f32(3, 7), O);
        assertAgrees(b.build(List.of(y)));
    }

    @Test
    void reversedCumsumAndCumprod() {
        GraphBuilder b = new GraphBuilder("scan");
        Value x = b.input("x", f32(3, 6, 2));
        Value c = b.add(new Op.Scan(1, Op.Reduction.SUM, true), List.of(x), f32(3, 6, 2), O);
        Value p = b.add(new Op.Scan(2, Op.Reduction.PROD, false), List.of(x), f32(3, 6, 2), O);
        assertAgrees(b.build(List.of(c, p)));
    }

    @Test
    void reshapeThroughDivMod() {
        GraphBuilder b = new GraphBuilder("reshape");
        Value x = b.input("x", f32(6, 4));
        IndexExpr flat = add(mul(dim(0), 6), dim(1));
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(new IndexExpr.FloorDiv(flat, 4), new IndexExpr.Mod(flat, 4))),
                r(0), Op.Reduction.NONE), List.of(x), f32(4, 6), O);
        assertAgrees(b.build(List.of(y)));
    }

    @Test
    void rollUsesFloorModOfNegativeIndices() {
        GraphBuilder b = new GraphBuilder("roll");
        Value x = b.input("x", f32(9));
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(new IndexExpr.Mod(sub(dim(0), constant(4)), 9))),
                r(0), Op.Reduction.NONE), List.of(x), f32(9), O);
        assertAgrees(b.build(List.of(y)));
    }

    @Test
    void longReductionTakesBlockReduce() {
        GraphBuilder b = new GraphBuilder("sum");
        Value x = b.input("x", f32(5, 2000));
        Value s = b.add(new Op.Generic(Shape.of(2000), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), f32(5), O);
        Value m = b.add(new Op.Generic(Shape.of(2000), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.MAX), List.of(x), f32(5), O);
        Graph g = b.build(List.of(s, m));
        assertEquals(Strategy.BLOCK, DefaultScheduler.schedule(g).groups().get(0).strategy());
        assertAgrees(g);
    }

    @Test
    void integerFloorDivisionAndModuloFollowPython() {
        GraphBuilder b = new GraphBuilder("intdiv");
        TensorType i64 = TensorType.of(DType.I64, 8);
        Value x = b.input("x", i64);
        ScalarExpr shifted = bin(BinaryOp.SUB, r(0), new ScalarExpr.Const(2, DType.I64));
        Value q = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), bin(BinaryOp.FLOORDIV, shifted, new ScalarExpr.Const(3, DType.I64)), Op.Reduction.NONE), List.of(x), i64, O);
        Value m = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), bin(BinaryOp.MOD, shifted, new ScalarExpr.Const(3, DType.I64)), Op.Reduction.NONE), List.of(x), i64, O);
        Value d = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), bin(BinaryOp.DIV, shifted, new ScalarExpr.Const(4, DType.I64)), Op.Reduction.NONE), List.of(x), f32(8), O);
        HostTensor in = HostTensor.ofLongs(Shape.of(8), -7, -3, 0, 1, 2, 5, 8, 3);
        Graph g = b.build(List.of(q, m, d));
        assertAgrees(g, DefaultScheduler.schedule(g), List.of(in));
    }

    @Test
    void outputsThatAreInputsOrRepeatedGetTheirOwnBuffers() {
        GraphBuilder b = new GraphBuilder("outs");
        Value x = b.input("x", f32(3));
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), ScalarExpr.unary(ScalarExpr.UnaryOp.TANH, r(0)), Op.Reduction.NONE), List.of(x), f32(3), O);
        Value c = b.add(new Op.Constant(List.of(1.0, 2.0)), List.of(), f32(2), O);
        Graph g = b.build(List.of(y, x, y, c));
        Lowered low = Lowering.lower(g);
        assertEquals(4, low.plan().buffers().stream().filter(buf -> buf.role() == kc.ir.tile.LaunchPlan.Role.OUTPUT).count());
        assertAgrees(g);
    }

    /**
     * A long dot product whose exact value nearly cancels: Kahan's fp32 sum rounds each product (~sqrt(K) eps |x w|
     * here, 1e-3 or more), so only a sum that keeps every rounding error meets atol = rtol = 1e-4 against the exact
     * value. Every strategy (a thread, a warp or a block per row, or a row split over blocks whose partials keep their
     * errors), both CPU shims.
     */
    @Test
    void longDotProductsThatCancelAreExactToFloat32() {
        int rows = 3, k = 1 << 18;
        java.util.Random rnd = new java.util.Random(7);
        float[] x = new float[rows * k], w = new float[k];
        for (int i = 0; i < k; i++) w[i] = (float) (rnd.nextGaussian() * 8);
        double[] exact = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0; // float products are exact in double; this sum's own error is ~1e-10 here
            for (int i = 0; i < k; i++) { x[r * k + i] = (float) (rnd.nextGaussian() * 8); sum += (double) x[r * k + i] * w[i]; }
            // cancel the sum down to about 0.3 by moving the last x, then take the exact value again
            x[r * k + k - 1] = (float) (x[r * k + k - 1] - (sum - 0.3 * (r + 1)) / w[k - 1]);
            exact[r] = 0;
            for (int i = 0; i < k; i++) exact[r] += (double) x[r * k + i] * w[i];
        }
        float kahan = 0, comp = 0; // the old default, one row in order: the data must be hard for it
        for (int i = 0; i < k; i++) { float y = x[i] * w[i] - comp, t = kahan + y; comp = (t - kahan) - y; kahan = t; }
        assertTrue(Math.abs(kahan - exact[0]) > 1e-4 + 1e-4 * Math.abs(exact[0]), "a Kahan fp32 sum should miss: " + kahan + " vs " + exact[0]);

        GraphBuilder b = new GraphBuilder("dot");
        Value xv = b.input("x", f32(rows, k)), wv = b.input("w", f32(k));
        Value m = b.add(new Op.Generic(Shape.of(k), List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(1))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM), List.of(xv, wv), f32(rows), O);
        Graph g = b.build(List.of(m));
        List<HostTensor> inputs = List.of(HostTensor.ofFloats(Shape.of(rows, k), x), HostTensor.ofFloats(Shape.of(k), w));
        for (Strategy strategy : List.of(Strategy.POINTWISE, Strategy.BLOCK, Strategy.WARP, Strategy.GRID)) {
            Schedule d = DefaultScheduler.schedule(g);
            Schedule s = d.with(d.groups().get(0).withStrategy(strategy).withThreads(256).withSplits(strategy == Strategy.GRID ? 8 : 1));
            Lowered low = Lowering.lower(g, s, kc.passes.cost.MachineModel.SM_90);
            for (String backend : CpuRunner.BACKENDS) {
                HostTensor out = CpuRunner.run(low.kernels(), low.plan(), inputs, java.util.Map.of(), backend).get(0);
                for (int r = 0; r < rows; r++)
                    assertTrue(Math.abs(out.getFlat(r) - exact[r]) <= 1e-4 + 1e-4 * Math.abs(exact[r]),
                            strategy + " on " + backend + ", row " + r + ": " + out.getFlat(r) + " vs exact " + exact[r]);
            }
        }
    }

    /** PyTorch's sums of infinities: inf + finite is inf, inf + -inf and NaN are NaN; a compensated sum must agree. */
    @Test
    void compensatedSumsKeepInfinities() {
        double inf = Double.POSITIVE_INFINITY;
        double[][] rows = {{1, inf, 2, 3, 4, 5, 6, 7}, {1, 2, -inf, 3, 4, 5, 6, 7}, {inf, 1, 2, 3, -inf, 5, 6, 7},
                {1, 2, 3, Double.NaN, 5, 6, 7, 8}, {3e38, 3e38, 1, 1, 1, 1, 1, 1}};
        double[] data = new double[rows.length * 8];
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, data, r * 8, 8);
        HostTensor in = HostTensor.of(DType.F32, Shape.of(rows.length, 8), data);
        GraphBuilder b = new GraphBuilder("infsum");
        Value x = b.input("x", f32(rows.length, 8));
        Value sum = b.add(new Op.Generic(Shape.of(8), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), f32(rows.length), O);
        Value cum = b.add(new Op.Scan(1, Op.Reduction.SUM, false), List.of(x), f32(rows.length, 8), O);
        Graph g = b.build(List.of(sum, cum));
        for (Strategy strategy : List.of(Strategy.POINTWISE, Strategy.BLOCK, Strategy.WARP)) {
            Schedule d = DefaultScheduler.schedule(g);
            CpuCheck.Result res = CpuCheck.check(g, d.with(d.groups().get(0).withStrategy(strategy).withThreads(64)), List.of(in));
            assertTrue(res.passed(), strategy + ": " + res.message());
            assertEquals(inf, res.outputs().get(0).getFlat(0), strategy + ": inf + finite terms");
            assertEquals(inf, res.outputs().get(1).getFlat(7), "cumsum past an inf");
        }
    }
}
