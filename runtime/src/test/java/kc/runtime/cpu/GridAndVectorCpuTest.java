package kc.runtime.cpu;

import static kc.ir.graph.IndexExpr.add;
import static kc.ir.graph.IndexExpr.constant;
import static kc.ir.graph.IndexExpr.dim;
import static kc.ir.graph.IndexExpr.mul;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import kc.codegen.cuda.CudaRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
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
import kc.ir.interp.Interpreter;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.TilePrinter;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.ScheduleLegality;
import kc.passes.schedule.Strategy;

/**
 * GRID reductions (partials in scratch buffers, merged by a second kernel), vector accesses and grid-stride items:
 * hand-built graphs with hand-set schedules, run as CUDA C and as Metal on the CPU shims and compared with the
 * reference interpreter; every kernel also through ptxas (its PTX) and nvcc (its CUDA C) where installed.
 */
class GridAndVectorCpuTest {
    private static final Origin O = Origin.NONE;
    /** Every kernel these tests lowered, renamed apart, for one nvcc run at the end. */
    private static final List<Kernel> LOWERED = java.util.Collections.synchronizedList(new ArrayList<>());

    private static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }

    private static ScalarExpr r(int k) { return ScalarExpr.read(k); }

    private static ScalarExpr bin(BinaryOp op, ScalarExpr a, ScalarExpr b) { return ScalarExpr.binary(op, a, b); }

    /** The graph's only group with this schedule's knobs. */
    private static Schedule with(Graph g, java.util.function.UnaryOperator<GroupSchedule> knobs) {
        Schedule d = DefaultScheduler.schedule(g);
        return d.with(knobs.apply(d.groups().get(0)));
    }

    /** Lowers, runs on both CPU shims, compares with the interpreter; ptxas the PTX; returns the CUDA shim's outputs. */
    private static List<HostTensor> check(Graph g, Schedule s, List<HostTensor> inputs) {
        Random rnd = new Random(99);
        List<HostTensor> in = new ArrayList<>();
        for (int i = 0; i < g.inputs().size(); i++) in.add(inputs != null ? inputs.get(i) : CpuCheck.random(g.inputs().get(i), rnd));
        Map<String, HostTensor> params = new java.util.HashMap<>();
        for (Value p : g.params()) params.put(p.name(), CpuCheck.random(p, rnd));
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        int graph = LOWERED.size();
        for (Kernel k : low.kernels()) LOWERED.add(new Kernel("v" + graph + "_" + k.name(), k.params(), k.shared(), k.launch(), k.body()));
        if (PtxasCheck.available())
            for (PtxTarget t : PtxTarget.values()) {
                PtxasCheck.Result res = PtxasCheck.run(new PtxRenderer().render(low.kernels(), t), t.arch);
                assertTrue(res.ok(), "ptxas " + t.arch + ": " + res.error());
            }
        List<HostTensor> ref = Interpreter.run(g, in, params);
        List<HostTensor> cuda = null;
        for (String backend : CpuRunner.BACKENDS) {
            List<HostTensor> got = CpuRunner.run(low.kernels(), low.plan(), in, params, backend);
            CpuCheck.Result res = CpuCheck.compare(got, ref);
            assertTrue(res.passed(), backend + ": " + res.message());
            if (cuda == null) cuda = got;
        }
        return cuda;
    }

    @AfterAll
    static void nvccAcceptsEveryKernel() throws Exception {
        if (!kc.codegen.Toolchain.present(Nvcc.available(), "nvcc is not installed: the nvcc acceptance check is skipped")) return;
        String src = CudaRenderer.render(LOWERED);
        for (String arch : List.of("sm_90", "sm_80")) assertEquals(null, Nvcc.compile(src, arch), "nvcc -arch=" + arch);
    }

    // ---- compound reductions ----

    /**
     * Online softmax statistics and Welford's mean and M2 under every strategy that reduces, against the two-pass
     * float64 interpreter: rows with -inf terms (a masked row, and one all -inf), and rows around 1000 with unit
     * spread, where E[x^2] - E[x]^2 in fp32 would lose every digit of the variance.
     */
    @Test
    void compoundStatisticsUnderEveryStrategy() {
        int rows = 5, n = 700;
        double[] d = new double[rows * n];
        Random rnd = new Random(5);
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextGaussian() * 2;
        for (int i = 0; i < n / 2; i++) d[n + i] = Double.NEGATIVE_INFINITY;   // row 1: half masked
        for (int i = 0; i < n; i++) d[2 * n + i] = Double.NEGATIVE_INFINITY;   // row 2: all masked
        for (int i = 0; i < n; i++) d[3 * n + i] = 1000 + rnd.nextGaussian();  // row 3: far from 0
        HostTensor x = HostTensor.of(DType.F32, Shape.of(rows, n), d);
        double[] shifted = d.clone();
        for (int i = 0; i < 3 * n; i++) shifted[i] = rnd.nextGaussian(); // Welford's rows are all finite
        HostTensor y = HostTensor.of(DType.F32, Shape.of(rows, n), shifted);
        ScalarExpr variance = new ScalarExpr.Select(bin(BinaryOp.EQ, new ScalarExpr.Index(1), new ScalarExpr.Const(0, DType.I64)),
                new ScalarExpr.Reduced(DType.F32), bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(n)));
        for (Op.Reduction red : List.of(Op.Reduction.MAX_SUMEXP, Op.Reduction.MEAN_M2)) {
            GraphBuilder b = new GraphBuilder("stats");
            Value in = b.input("x", f32(rows, n));
            Value st = b.add(new Op.Generic(Shape.of(n), List.of(IndexMap.of(dim(0), dim(2))), r(0), red,
                    red == Op.Reduction.MEAN_M2 ? variance : null), List.of(in), f32(rows, 2), O);
            Graph g = b.build(List.of(st));
            List<HostTensor> data = List.of(red == Op.Reduction.MAX_SUMEXP ? x : y);
            List<Schedule> schedules = List.of(
                    with(g, gs -> gs.withStrategy(Strategy.POINTWISE).withThreads(32)),
                    with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(64)),
                    with(g, gs -> gs.withStrategy(Strategy.BLOCK).withThreads(128)),
                    with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(7).withThreads(64)),
                    // each lane taking 4 (2) consecutive terms with one vector load
                    with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(64).withVector(4)),
                    with(g, gs -> gs.withStrategy(Strategy.BLOCK).withThreads(128).withVector(2)),
                    with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(7).withThreads(64).withVector(4)));
            for (Schedule s : schedules) {
                List<HostTensor> got = check(g, s, data);
                if (red == Op.Reduction.MAX_SUMEXP) {
                    assertEquals(Double.NEGATIVE_INFINITY, got.get(0).getFlat(4), "an all -inf row's max");
                    assertEquals(0.0, got.get(0).getFlat(5), "and its sum of exponentials");
                } else {
                    assertEquals(1.0, got.get(0).getFlat(7), 0.15, "row 3's variance survives its mean of 1000");
                }
            }
        }
    }

    // ---- row kernels ----

    private static Value pw(GraphBuilder b, TensorType t, ScalarExpr body, List<Value> ops, IndexMap... maps) {
        return b.add(new Op.Generic(Shape.SCALAR, List.of(maps), body, Op.Reduction.NONE), ops, t, O);
    }

    /** Training-mode batch-norm statistics per channel (dim 1 of [3, 5, 8]: a row is 24 strided terms), then normalise. */
    private static Graph channelNorm() {
        GraphBuilder b = new GraphBuilder("channels");
        Value x = b.input("x", f32(3, 5, 8));
        IndexMap perChannel = IndexMap.of(constant(0), dim(1), constant(0)), terms = IndexMap.of(dim(3), dim(1), dim(4));
        Value mean = b.add(new Op.Generic(Shape.of(3, 8), List.of(terms), r(0), Op.Reduction.SUM,
                bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(24))), List.of(x), f32(1, 5, 1), O);
        Value d = pw(b, f32(3, 5, 8), bin(BinaryOp.SUB, r(0), r(1)), List.of(x, mean), IndexMap.of(dim(0), dim(1), dim(2)), perChannel);
        Value sq = b.add(new Op.Generic(Shape.of(3, 8), List.of(terms), bin(BinaryOp.MUL, r(0), r(0)), Op.Reduction.SUM), List.of(d), f32(1, 5, 1), O);
        Value rstd = pw(b, f32(1, 5, 1), ScalarExpr.unary(ScalarExpr.UnaryOp.RSQRT, bin(BinaryOp.ADD, bin(BinaryOp.DIV, r(0), ScalarExpr.f32(24)),
                ScalarExpr.f32(1e-5))), List.of(sq), IndexMap.of(dim(0), dim(1), dim(2)));
        Value y = pw(b, f32(3, 5, 8), bin(BinaryOp.MUL, r(0), r(1)), List.of(d, rstd), IndexMap.of(dim(0), dim(1), dim(2)), perChannel);
        return b.build(List.of(y));
    }

    /** Softmax over rows of 40 (7 rows: not a multiple of the rows a block takes). */
    private static Graph softmaxRows() {
        GraphBuilder b = new GraphBuilder("softmax");
        Value x = b.input("x", f32(7, 40));
        Value max = b.add(new Op.Generic(Shape.of(40), List.of(IndexMap.of(dim(0), dim(2))), r(0), Op.Reduction.MAX), List.of(x), f32(7, 1), O);
        Value e = pw(b, f32(7, 40), ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, bin(BinaryOp.SUB, r(0), r(1))), List.of(x, max),
                IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0), constant(0)));
        Value sum = b.add(new Op.Generic(Shape.of(40), List.of(IndexMap.of(dim(0), dim(2))), r(0), Op.Reduction.SUM), List.of(e), f32(7, 1), O);
        Value y = pw(b, f32(7, 40), bin(BinaryOp.DIV, r(0), r(1)), List.of(e, sum), IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0), constant(0)));
        return b.build(List.of(y));
    }

    /** Fused into one row kernel each, run a warp per row (several rows a block) and a block per row, on both shims. */
    @Test
    void rowKernelsUnderWarpAndBlock() {
        for (Graph raw : List.of(channelNorm(), softmaxRows())) {
            Graph g = kc.passes.rules.Rules.optimised(raw);
            assertEquals(1, g.nodes().size(), kc.ir.graph.GraphPrinter.print(g, true));
            assertTrue(g.nodes().get(0).op() instanceof Op.RowFused, kc.ir.graph.GraphPrinter.print(g, true));
            assertEquals(kc.ir.graph.GraphJson.read(kc.ir.graph.GraphJson.write(g)).nodes(), g.nodes(), "the row kernel's JSON round trip");
            for (Schedule s : List.of(with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(64)),
                    with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(128)),
                    with(g, gs -> gs.withStrategy(Strategy.BLOCK).withThreads(64))))
                check(g, s, null);
            // the statistics' terms in vectors: softmax's rows, and each channel's runs of 8 along the last dim
            check(g, with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(64).withVector(4)), null);
            check(g, with(g, gs -> gs.withStrategy(Strategy.BLOCK).withThreads(64).withVector(2)), null);
            // and against the unfused graph's interpreter, which never saw a row kernel
            Random rnd = new Random(3);
            List<HostTensor> in = List.of(CpuCheck.random(raw.inputs().get(0), rnd));
            CpuCheck.Result res = CpuCheck.compare(Interpreter.run(g, in, Map.of()), Interpreter.run(raw, in, Map.of()));
            assertTrue(res.passed(), res.message());
        }
    }

    // ---- GRID ----

    private static Graph rowReductions(long rows, long n, Op.Reduction... reductions) {
        GraphBuilder b = new GraphBuilder("rows");
        Value x = b.input("x", f32(rows, n));
        List<Value> outs = new ArrayList<>();
        for (Op.Reduction red : reductions)
            outs.add(b.add(new Op.Generic(Shape.of(n), List.of(IndexMap.of(dim(0), dim(1))), r(0), red), List.of(x), f32(rows), O));
        return b.build(outs);
    }

    // ---- scans, a block per line ----

    /**
     * cumsum, reversed cumsum, cumprod and cummax with strategy block: lines of 1000 (segments of 512 for 64 threads,
     * the second partly past the end), a scan over a middle dim (lines strided by 4), a cumsum that cancels (terms of
     * 1e8 and 1 alternating in sign: the double-word chunk totals keep the ones) and one past an infinity.
     */
    @Test
    void blockScansOfLongLinesAndOfAStridedDim() {
        GraphBuilder b = new GraphBuilder("scans");
        Value x = b.input("x", f32(3, 1000));
        Value y = b.input("y", f32(2, 50, 4));
        List<Value> outs = new ArrayList<>();
        outs.add(b.add(new Op.Scan(1, Op.Reduction.SUM, false), List.of(x), f32(3, 1000), O));
        outs.add(b.add(new Op.Scan(1, Op.Reduction.SUM, true), List.of(x), f32(3, 1000), O));
        outs.add(b.add(new Op.Scan(1, Op.Reduction.MAX, false), List.of(x), f32(3, 1000), O));
        outs.add(b.add(new Op.Scan(1, Op.Reduction.PROD, false), List.of(y), f32(2, 50, 4), O));
        outs.add(b.add(new Op.Scan(1, Op.Reduction.SUM, false), List.of(y), f32(2, 50, 4), O));
        Graph g = b.build(outs);
        Schedule d = DefaultScheduler.schedule(g);
        assertEquals(Strategy.SCAN, d.groups().get(0).strategy(), "lines of 1000 stay a thread per line by default");
        Schedule s = d;
        for (GroupSchedule gs : d.groups()) s = s.with(gs.withStrategy(Strategy.BLOCK).withThreads(64));
        Random rnd = new Random(8);
        double[] xs = new double[3000], ys = new double[400];
        for (int i = 0; i < xs.length; i++) xs[i] = rnd.nextGaussian();
        // row 1: 1e8, 0.5, -1e8, 0.5, ...: exact prefixes 0.5, 1, ... that a plain fp32 scan loses to 1e8's rounding
        for (int i = 1000; i < 2000; i++) xs[i] = i % 2 == 1 ? 0.5 : i % 4 == 0 ? 1e8 : -1e8;
        xs[2500] = Double.POSITIVE_INFINITY;
        for (int i = 0; i < ys.length; i++) ys[i] = 1 + 0.05 * rnd.nextGaussian();
        List<HostTensor> got = check(g, s, List.of(HostTensor.of(DType.F32, Shape.of(3, 1000), xs), HostTensor.of(DType.F32, Shape.of(2, 50, 4), ys)));
        assertEquals(Double.POSITIVE_INFINITY, got.get(0).getFlat(2999), "cumsum past an inf");
        assertEquals(250.0, got.get(0).getFlat(1999), "the cancelling row keeps its halves");
        GraphBuilder lb = new GraphBuilder("cumsum");
        Value z = lb.input("x", f32(4, 4096));
        Graph cum = lb.build(List.of(lb.add(new Op.Scan(1, Op.Reduction.SUM, false), List.of(z), f32(4, 4096), O)));
        assertEquals(Strategy.BLOCK, DefaultScheduler.schedule(cum).groups().get(0).strategy(), "long contiguous lines: a block per line");
        check(cum, DefaultScheduler.schedule(cum), null);
    }

    /** Column sums (terms a row apart) cannot be read in vectors along the reduction; legality says why. */
    @Test
    void vectorTermsNeedContiguousReads() {
        GraphBuilder b = new GraphBuilder("columns");
        Value x = b.input("x", f32(64, 8));
        Value s = b.add(new Op.Generic(Shape.of(64), List.of(IndexMap.of(dim(1), dim(0))), r(0), Op.Reduction.SUM), List.of(x), f32(8), O);
        Graph g = b.build(List.of(s));
        List<ScheduleLegality.Problem> ps = ScheduleLegality.check(g, with(g, gs -> gs.withStrategy(Strategy.WARP).withThreads(64).withVector(4)), MachineModel.SM_90);
        assertTrue(!ps.isEmpty() && ps.get(0).toString().endsWith("vector 4: operand x is read with stride 8 along the innermost reduction dim"), ps.toString());
    }

    @Test
    void gridSumsMaxAndMinWithSplitsThatDoNotDivideTheRow() {
        Graph g = rowReductions(3, 1000, Op.Reduction.SUM, Op.Reduction.MAX, Op.Reduction.MIN);
        Schedule d = DefaultScheduler.schedule(g);
        Schedule s = d;
        for (GroupSchedule gs : d.groups()) s = s.with(gs.withStrategy(Strategy.GRID).withSplits(7).withThreads(64));
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        assertEquals(6, low.plan().launches().size(), "two kernels per group");
        String plan = TilePrinter.print(low.plan());
        assertTrue(plan.contains("grid(21, 1, 1) block(64, 1, 1)"), "3 outputs x 7 splits: " + plan);
        // each group's partials: a sum and its error for the double-word sum, one value for max and min
        assertEquals(4, low.plan().buffers().stream().filter(b -> b.name().contains("_partial_")).count(), plan);
        assertTrue(low.plan().buffers().stream().filter(b -> b.name().contains("_partial_"))
                .allMatch(b -> b.role() == LaunchPlan.Role.SCRATCH && b.shape().numel() == 21));
        assertEquals(low.plan(), kc.ir.tile.PlanJson.read(kc.ir.tile.PlanJson.write(low.plan(), "k.cu")).plan(), "the plan's JSON keeps the partials");
        check(g, s, null);
        // float4 terms: slices of 144 terms (143 rounded up to whole vectors), the last one shorter
        Schedule v = d;
        for (GroupSchedule gs : d.groups()) v = v.with(gs.withStrategy(Strategy.GRID).withSplits(7).withThreads(64).withVector(4));
        check(g, v, null);
    }

    @Test
    void gridSumOfIntegersAndOfAnEmptyTail() {
        // 10 terms in 4 splits of 3 (the last has one term), in 7 splits of 2 (the last two have none), in 10 of 1
        GraphBuilder b = new GraphBuilder("ints");
        Value x = b.input("x", TensorType.of(DType.I64, 2, 10));
        Value s = b.add(new Op.Generic(Shape.of(10), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), TensorType.of(DType.I64, 2), O);
        Graph g = b.build(List.of(s));
        for (int splits : new int[] {4, 7, 10}) check(g, with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(splits).withThreads(32)), null);
    }

    private static Graph argReduction(long n, Op.Reduction red) {
        GraphBuilder b = new GraphBuilder("arg");
        Value x = b.input("x", f32(4, n));
        Value a = b.add(new Op.Generic(Shape.of(n), List.of(IndexMap.of(dim(0), dim(1))), r(0), red), List.of(x), TensorType.of(DType.I64, 4), O);
        return b.build(List.of(a));
    }

    /** Rows of many ties (values 0..4 repeating); row 1 with NaNs, row 2 with its maximum last. */
    private static HostTensor tiedRows(int n) {
        double[] d = new double[4 * n];
        for (int i = 0; i < d.length; i++) d[i] = (i * 7) % 5;
        d[n + 3 * n / 4] = Double.NaN;       // row 1: the first NaN wins, in a later split ...
        d[n + n - 2] = Double.NaN;           // ... not this one
        d[2 * n + n - 1] = 100;              // row 2: the maximum in the last split
        return HostTensor.of(DType.F32, Shape.of(4, n), d);
    }

    @Test
    void gridArgmaxAndArgminKeepTheFirstIndexAcrossSplits() {
        int n = 600;
        for (Op.Reduction red : List.of(Op.Reduction.ARGMAX, Op.Reduction.ARGMIN)) {
            Graph g = argReduction(n, red);
            HostTensor in = tiedRows(n);
            List<HostTensor> block = check(g, with(g, gs -> gs.withStrategy(Strategy.BLOCK).withThreads(64)), List.of(in));
            for (int splits : new int[] {5, 64}) {
                List<HostTensor> grid = check(g, with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(splits).withThreads(32)), List.of(in));
                assertEquals(block.get(0).getFlat(0), grid.get(0).getFlat(0), red + ": ties resolve to the first index");
                assertEquals(3.0 * n / 4, grid.get(0).getFlat(1), red + ": the first NaN");
                if (red == Op.Reduction.ARGMAX) assertEquals(n - 1.0, grid.get(0).getFlat(2));
                // the extreme's first index: 0 or 1 whichever value is the extreme first occurs there
                assertEquals(red == Op.Reduction.ARGMAX ? 2.0 : 0.0, grid.get(0).getFlat(0), red.toString());
            }
        }
    }

    /**
     * A long sum of products that cancels to about 0.3: fp32 only meets 1e-4 when the partials keep their rounding
     * errors through the merge. An epilogue (the mean plus a bias read at the output point) runs after the merge.
     */
    @Test
    void gridDoubleWordSumsThatCancelWithAnEpilogue() {
        int rows = 2, k = 1 << 17;
        Random rnd = new Random(11);
        float[] x = new float[rows * k], w = new float[k], bias = {0.25f, -0.5f};
        for (int i = 0; i < k; i++) w[i] = (float) (rnd.nextGaussian() * 8);
        double[] exact = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < k; i++) { x[r * k + i] = (float) (rnd.nextGaussian() * 8); sum += (double) x[r * k + i] * w[i]; }
            x[r * k + k - 1] = (float) (x[r * k + k - 1] - (sum - 0.3 * (r + 1)) / w[k - 1]);
            for (int i = 0; i < k; i++) exact[r] += (double) x[r * k + i] * w[i];
        }
        float plain = 0; // one fp32 sum in order: the data must be hard for it
        for (int i = 0; i < k; i++) plain += x[i] * w[i];
        assertTrue(Math.abs(plain - exact[0]) > 1e-4 + 1e-4 * Math.abs(exact[0]), "a plain fp32 sum should miss: " + plain + " vs " + exact[0]);

        GraphBuilder b = new GraphBuilder("dotmean");
        Value xv = b.input("x", f32(rows, k)), wv = b.input("w", f32(k)), bv = b.input("b", f32(rows));
        ScalarExpr mean = bin(BinaryOp.ADD, bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(1.0 / 1024)), r(2));
        Value m = b.add(new Op.Generic(Shape.of(k), List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(1)), IndexMap.of(dim(0))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM, mean), List.of(xv, wv, bv), f32(rows), O);
        Graph g = b.build(List.of(m));
        List<HostTensor> inputs = List.of(HostTensor.ofFloats(Shape.of(rows, k), x), HostTensor.ofFloats(Shape.of(k), w), HostTensor.ofFloats(Shape.of(rows), bias));
        Schedule s = with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(37).withThreads(128));
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        for (String backend : CpuRunner.BACKENDS) {
            HostTensor out = CpuRunner.run(low.kernels(), low.plan(), inputs, Map.of(), backend).get(0);
            for (int r = 0; r < rows; r++) {
                double want = exact[r] * 1024 + bias[r];
                assertTrue(Math.abs(out.getFlat(r) - want) <= 1e-4 + 1e-4 * Math.abs(want), backend + " row " + r + ": " + out.getFlat(r) + " vs " + want);
            }
        }
        check(g, s, inputs);
    }

    /** inf + finite stays inf and inf - inf is NaN through the partials too (a split's error becomes NaN). */
    @Test
    void gridSumsKeepInfinities() {
        double inf = Double.POSITIVE_INFINITY;
        int n = 64;
        double[] data = new double[3 * n];
        for (int i = 0; i < data.length; i++) data[i] = i % 7;
        data[10] = inf;                          // row 0: inf in split 0 of 4
        data[n + 5] = inf; data[n + 60] = -inf;  // row 1: inf and -inf in different splits
        data[2 * n + 33] = Double.NaN;
        Graph g = rowReductions(3, n, Op.Reduction.SUM);
        List<HostTensor> out = check(g, with(g, gs -> gs.withStrategy(Strategy.GRID).withSplits(4).withThreads(32)),
                List.of(HostTensor.of(DType.F32, Shape.of(3, n), data)));
        assertEquals(inf, out.get(0).getFlat(0));
        assertTrue(Double.isNaN(out.get(0).getFlat(1)) && Double.isNaN(out.get(0).getFlat(2)));
    }

    @Test
    void gridGroupsAlikeShareBothKernelsButNotTheirPartials() {
        GraphBuilder b = new GraphBuilder("twice");
        Value x = b.input("x", f32(2, 5000)), y = b.input("y", f32(2, 5000));
        Value sx = b.add(new Op.Generic(Shape.of(5000), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), f32(2), O);
        Value sy = b.add(new Op.Generic(Shape.of(5000), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(y), f32(2), O);
        Graph g = b.build(List.of(sx, sy));
        Schedule s = DefaultScheduler.schedule(g);
        for (GroupSchedule gs : DefaultScheduler.schedule(g).groups()) s = s.with(gs.withStrategy(Strategy.GRID).withSplits(3));
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        assertEquals(2, low.kernels().size(), "one partials kernel and one combine kernel for both groups");
        assertEquals(4, low.plan().launches().size());
        List<String> first = low.plan().launches().get(0).args(), second = low.plan().launches().get(2).args();
        assertTrue(first.get(0).contains("_partial_") && second.get(0).contains("_partial_") && !first.get(0).equals(second.get(0)),
                "each group writes its own partials: " + first + " " + second);
        check(g, s, null);
    }

    // ---- vector and items ----

    /** x + y (y: a row along the innermost dim, read as a vector) * b (a per-row scalar, broadcast to the lanes). */
    private static Graph broadcastAffine(long rows, long cols) {
        GraphBuilder b = new GraphBuilder("affine");
        Value x = b.input("x", f32(rows, cols)), y = b.input("y", f32(cols)), s = b.input("s", f32(rows));
        Value out = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(1)), IndexMap.of(dim(0))),
                bin(BinaryOp.MUL, bin(BinaryOp.ADD, r(0), r(1)), r(2)), Op.Reduction.NONE), List.of(x, y, s), f32(rows, cols), O);
        return b.build(List.of(out));
    }

    @Test
    void vectorAccessesWithABroadcastOperandAndItems() {
        Graph g = broadcastAffine(6, 20);
        for (int vector : new int[] {2, 4})
            for (int items : new int[] {1, 3}) {
                Schedule s = with(g, gs -> gs.withVector(vector).withItems(items).withThreads(32));
                Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
                String cuda = CudaRenderer.render(low.kernels());
                assertTrue(cuda.contains("reinterpret_cast<const float" + vector + "*>"), "vector loads:\n" + cuda);
                assertTrue(cuda.contains("make_float" + vector + "("), "a vector store:\n" + cuda);
                String ptx = new PtxRenderer().render(low.kernels(), PtxTarget.SM_90);
                assertTrue(ptx.contains("ld.global.nc.v" + vector + ".f32") && ptx.contains("st.global.v" + vector + ".f32"), ptx);
                check(g, s, null);
            }
    }

    @Test
    void itemsCoverOutputsThatDoNotFillTheLastPass() {
        GraphBuilder b = new GraphBuilder("tanh");
        Value x = b.input("x", f32(1001));
        Value t = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), ScalarExpr.unary(ScalarExpr.UnaryOp.TANH, r(0)), Op.Reduction.NONE),
                List.of(x), f32(1001), O);
        Graph g = b.build(List.of(t));
        Schedule s = with(g, gs -> gs.withVector(1).withItems(5).withThreads(64));
        assertTrue(TilePrinter.print(Lowering.lower(g, s, MachineModel.SM_90).plan()).contains("grid(4, 1, 1)"), "ceil(1001 / (64 x 5)) blocks");
        check(g, s, null);
        check(g, with(g, gs -> gs.withVector(1).withItems(13).withThreads(32)), null); // more items than unrolled
    }

    /** A reshape read through div and mod moves by whole vectors when the divisor is a multiple of the width. */
    @Test
    void vectorReadsThroughAReshape() {
        GraphBuilder b = new GraphBuilder("reshape");
        Value x = b.input("x", f32(4, 12));
        IndexExpr flat = add(mul(dim(0), 8), dim(1));
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(new IndexExpr.FloorDiv(flat, 12), new IndexExpr.Mod(flat, 12))),
                bin(BinaryOp.MUL, r(0), ScalarExpr.f32(2)), Op.Reduction.NONE), List.of(x), f32(6, 8), O);
        Graph g = b.build(List.of(y));
        check(g, with(g, gs -> gs.withVector(4)), null);
    }

    /**
     * A pointwise reduction over a middle dim, four outputs per thread: x read as vectors along the innermost dim at
     * every reduction step, four accumulators, and an epilogue reading a per-column operand as a vector.
     */
    @Test
    void vectorPointwiseReductionWithAnEpilogue() {
        GraphBuilder b = new GraphBuilder("colsum");
        Value x = b.input("x", f32(3, 5, 8)), c = b.input("c", f32(8));
        ScalarExpr epi = bin(BinaryOp.SUB, new ScalarExpr.Reduced(DType.F32), r(1));
        Value s = b.add(new Op.Generic(Shape.of(5), List.of(IndexMap.of(dim(0), dim(2), dim(1)), IndexMap.of(dim(1))), r(0), Op.Reduction.SUM, epi),
                List.of(x, c), f32(3, 8), O);
        Value m = b.add(new Op.Generic(Shape.of(5), List.of(IndexMap.of(dim(0), dim(2), dim(1))), r(0), Op.Reduction.ARGMAX),
                List.of(x), TensorType.of(DType.I64, 3, 8), O);
        Graph g = b.build(List.of(s, m));
        Schedule d = DefaultScheduler.schedule(g);
        Schedule sch = d.with(d.groups().get(0).withStrategy(Strategy.POINTWISE).withVector(4))
                .with(d.groups().get(1).withStrategy(Strategy.POINTWISE).withVector(2).withThreads(32));
        check(g, sch, null);
    }

    /** 64-bit elements travel two to a vector (16 bytes). */
    @Test
    void vectorOfSixtyFourBitElements() {
        GraphBuilder b = new GraphBuilder("i64");
        TensorType i64 = TensorType.of(DType.I64, 4, 6);
        Value x = b.input("x", i64);
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(2)), bin(BinaryOp.MUL, r(0), new ScalarExpr.Const(3, DType.I64)),
                Op.Reduction.NONE), List.of(x), i64, O);
        Graph g = b.build(List.of(y));
        check(g, with(g, gs -> gs.withVector(2)), null);
    }

    @Test
    void defaultSchedulesRunEveryNewStrategy() {
        // a loss over 2^20 elements: GRID; rows of 96: WARP; an elementwise op: vector 4
        GraphBuilder b = new GraphBuilder("defaults");
        Value p = b.input("p", f32(1024, 1024)), t = b.input("t", f32(1024, 1024));
        ScalarExpr diff = bin(BinaryOp.SUB, r(0), r(1));
        Value loss = b.add(new Op.Generic(Shape.of(1024, 1024), List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0), dim(1))),
                bin(BinaryOp.MUL, diff, diff), Op.Reduction.SUM,
                bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(1 << 20))), List.of(p, t), f32(), O);
        Value rows = b.input("r", f32(64, 96));
        Value rowMax = b.add(new Op.Generic(Shape.of(96), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.MAX), List.of(rows), f32(64), O);
        Value relu = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1))), bin(BinaryOp.MAX, r(0), ScalarExpr.f32(0)),
                Op.Reduction.NONE), List.of(rows), f32(64, 96), O);
        Graph g = b.build(List.of(loss, rowMax, relu));
        Schedule s = DefaultScheduler.schedule(g);
        assertEquals(List.of(Strategy.GRID, Strategy.WARP, Strategy.POINTWISE), s.groups().stream().map(GroupSchedule::strategy).toList());
        assertEquals(4, s.groups().get(2).vector());
        assertEquals(256, s.groups().get(0).splits(), "2^20 terms: 4096 per block at least");
        check(g, s, null);
    }

    /** PyTorch's MSELoss shape at full size: one output, 10^8 terms, the split count two waves of an H100 want. */
    @Test
    void aFullSumOfAHundredMillionSplitsOverTwoWaves() {
        GraphBuilder b = new GraphBuilder("mse");
        Value p = b.input("p", f32(100_000, 1000));
        Value s = b.add(new Op.Generic(Shape.of(100_000, 1000), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(p), f32(), O);
        Graph g = b.build(List.of(s));
        GroupSchedule gs = DefaultScheduler.schedule(g, MachineModel.SM_90).groups().get(0);
        assertEquals(Strategy.GRID, gs.strategy());
        assertEquals(2 * 132 * 8, gs.splits());
        assertEquals(2 * 108 * 8, DefaultScheduler.schedule(g, MachineModel.SM_80).groups().get(0).splits());
        String plan = TilePrinter.print(Lowering.lower(g, DefaultScheduler.schedule(g), MachineModel.SM_90).plan());
        assertTrue(plan.contains("grid(2112, 1, 1) block(256, 1, 1)") && plan.contains("grid(1, 1, 1) block(32, 1, 1)"), plan);
    }

    @Test
    void constantIndexedDimsAreBroadcast() {
        // y[i, j] = x[i, 0] * z[i, j]: x is the same for a thread's four lanes
        GraphBuilder b = new GraphBuilder("col0");
        Value x = b.input("x", f32(5, 3)), z = b.input("z", f32(5, 8));
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), constant(0)), IndexMap.of(dim(0), dim(1))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.NONE), List.of(x, z), f32(5, 8), O);
        Graph g = b.build(List.of(y));
        check(g, with(g, gs -> gs.withVector(4)), null);
    }

    // ---- windows: footprints staged in shared memory ----

    /** A 3x3 max-pool, stride 1, padding 1 (-inf), over [2, 3, 13, 37]: tiles of 4 x 32 reach past both edges. */
    @Test
    void windowMaxPoolWithPaddingAndPartialTiles() {
        GraphBuilder b = new GraphBuilder("maxpool");
        Value x = b.input("x", f32(2, 3, 13, 37));
        IndexMap window = new IndexMap(List.of(dim(0), dim(1), add(add(dim(2), dim(4)), constant(-1)), add(add(dim(3), dim(5)), constant(-1))),
                Double.NEGATIVE_INFINITY);
        Value y = b.add(new Op.Generic(Shape.of(3, 3), List.of(window), r(0), Op.Reduction.MAX), List.of(x), f32(2, 3, 13, 37), O);
        Graph g = b.build(List.of(y));
        Schedule s = with(g, gs -> gs.withStrategy(Strategy.WINDOW).withThreads(32).withItems(4));
        assertEquals(List.of(), ScheduleLegality.check(g, s, MachineModel.SM_90));
        String plan = TilePrinter.print(Lowering.lower(g, s, MachineModel.SM_90).plan());
        // 2 x 3 planes, 4 row tiles of 4, 2 column tiles of 32
        assertTrue(plan.contains("grid(48, 1, 1) block(32, 1, 1)"), plan);
        check(g, s, null);
    }

    /**
     * A 1-D average pool with stride 2 and dilation 2 (a sum, then its epilogue), and a reversed window (negative
     * coefficients: the footprint starts below the tile's origin), both with tiles past the end of the row.
     */
    @Test
    void windowStridedDilatedAndReversed() {
        GraphBuilder b = new GraphBuilder("avgpool");
        Value x = b.input("x", f32(3, 200));
        IndexMap strided = new IndexMap(List.of(dim(0), add(add(mul(dim(1), 2), mul(dim(2), 2)), constant(-3))), 0.0);
        Value y = b.add(new Op.Generic(Shape.of(4), List.of(strided), r(0), Op.Reduction.SUM,
                bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(4))), List.of(x), f32(3, 101), O);
        IndexMap reversed = IndexMap.of(dim(0), add(add(constant(199), mul(dim(1), -1)), mul(dim(2), -1)));
        Value z = b.add(new Op.Generic(Shape.of(5), List.of(reversed), bin(BinaryOp.MUL, r(0), r(0)), Op.Reduction.SUM), List.of(x), f32(3, 196), O);
        Graph g = b.build(List.of(y, z));
        Schedule d = DefaultScheduler.schedule(g);
        for (int items : new int[] {1, 3}) {
            Schedule s = d;
            for (GroupSchedule gs : d.groups()) s = s.with(gs.withStrategy(Strategy.WINDOW).withThreads(32).withItems(items));
            assertEquals(List.of(), ScheduleLegality.check(g, s, MachineModel.SM_90));
            check(g, s, null);
        }
    }

    /**
     * A depthwise 3x3 convolution with a bias epilogue: two staged operands (the input's window, and the weight,
     * which only the channel and the reduction index) beside an epilogue operand read from global memory.
     */
    @Test
    void windowDepthwiseConvolutionStagesBothFactors() {
        GraphBuilder b = new GraphBuilder("depthwise");
        Value x = b.input("x", f32(2, 4, 9, 40));
        Value w = b.param("w", f32(4, 3, 3));
        Value bias = b.param("bias", f32(4));
        IndexMap in = new IndexMap(List.of(dim(0), dim(1), add(dim(2), dim(4)), add(dim(3), dim(5))), null);
        Value y = b.add(new Op.Generic(Shape.of(3, 3), List.of(in, IndexMap.of(dim(1), dim(4), dim(5)), IndexMap.of(dim(1))),
                bin(BinaryOp.MUL, r(0), r(1)), Op.Reduction.SUM, bin(BinaryOp.ADD, new ScalarExpr.Reduced(DType.F32), r(2))),
                List.of(x, w, bias), f32(2, 4, 7, 38), O);
        Graph g = b.build(List.of(y));
        kc.passes.schedule.Window window = kc.passes.schedule.Window.of(g.nodes().get(0));
        assertEquals(2, window.staged().size(), "the input and the weight");
        Schedule s = with(g, gs -> gs.withStrategy(Strategy.WINDOW).withThreads(64).withItems(2));
        assertEquals(List.of(), ScheduleLegality.check(g, s, MachineModel.SM_90));
        check(g, s, null);
    }

    @Test
    void windowLegality() {
        GraphBuilder b = new GraphBuilder("rows");
        Value x = b.input("x", f32(64, 4096));
        Value sum = b.add(new Op.Generic(Shape.of(4096), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), f32(64), O);
        Value pool = b.add(new Op.Generic(Shape.of(8), List.of(IndexMap.of(dim(0), add(dim(1), dim(2)))), r(0), Op.Reduction.MAX),
                List.of(x), f32(64, 4089), O);
        Graph g = b.build(List.of(sum, pool));
        Schedule d = DefaultScheduler.schedule(g);
        Schedule s = d;
        for (GroupSchedule gs : d.groups()) s = s.with(gs.withStrategy(Strategy.WINDOW).withThreads(1024).withItems(16));
        String problems = ScheduleLegality.check(g, s, MachineModel.SM_90).toString();
        assertTrue(problems.contains("strategy window needs a windowed reduction"), problems);
        // 1024 x 16 columns + 7 = 16391 floats: 65564 bytes
        assertTrue(problems.contains("stages 65564 bytes of shared memory; at most 49152"), problems);
    }

    /**
     * Separable windows reduce each staged row once, then combine rows: a 3-D max-pool (depth dilated by 2: partials
     * per depth and row, 5 x 6 of them, each over 3 columns) and a strided 2-D average pool (a plain sum and its
     * epilogue), both against the interpreter, with the shared-memory reads counted in the CUDA C.
     */
    @Test
    void separableWindowsReduceRowsThenColumns() {
        GraphBuilder b = new GraphBuilder("maxpool3d");
        Value x = b.input("x", f32(2, 3, 6, 9, 40));
        IndexMap window = new IndexMap(List.of(dim(0), dim(1), add(add(dim(2), mul(dim(5), 2)), constant(-2)),
                add(add(dim(3), dim(6)), constant(-1)), add(add(dim(4), dim(7)), constant(-1))), Double.NEGATIVE_INFINITY);
        Value y = b.add(new Op.Generic(Shape.of(3, 3, 3), List.of(window), r(0), Op.Reduction.MAX), List.of(x), f32(2, 3, 6, 9, 40), O);
        Graph g = b.build(List.of(y));
        Schedule s = with(g, gs -> gs.withStrategy(Strategy.WINDOW).withThreads(32).withItems(4));
        assertEquals(90, sharedReads(g, s), "5 x 6 row partials of 3 columns each");
        check(g, s, null);

        GraphBuilder a = new GraphBuilder("avgpool2d");
        Value in = a.input("x", f32(2, 20, 30));
        IndexMap strided = new IndexMap(List.of(dim(0), add(add(mul(dim(1), 2), dim(3)), constant(-1)), add(add(mul(dim(2), 2), dim(4)), constant(-1))), 0.0);
        Value avg = a.add(new Op.Generic(Shape.of(3, 3), List.of(strided), r(0), Op.Reduction.SUM,
                bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(9))), List.of(in), f32(2, 10, 15), O);
        Graph pool = a.build(List.of(avg));
        Schedule t = with(pool, gs -> gs.withStrategy(Strategy.WINDOW).withThreads(32).withItems(2));
        assertEquals(15, sharedReads(pool, t), "5 row partials of 3 columns each");
        check(pool, t, null);
    }

    /** Reads from a shared array in the CUDA C of the lowered graph. */
    private static int sharedReads(Graph g, Schedule s) {
        String cuda = CudaRenderer.render(Lowering.lower(g, s, MachineModel.SM_90).kernels());
        return cuda.split("= window0\\[", -1).length - 1;
    }
}
