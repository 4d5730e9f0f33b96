package kc.passes.schedule;

import static kc.ir.graph.IndexExpr.add;
import static kc.ir.graph.IndexExpr.constant;
import static kc.ir.graph.IndexExpr.dim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.SourcePos;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.TilePrinter;
import kc.passes.lower.Lowered;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowering;

class ScheduleTest {
    private static final Origin SOFTMAX = new Origin("softmax", 1, "", SourcePos.UNKNOWN);

    /** x -> exp(x) (no reduction) -> row sums (a reduction of 300) -> cumsum; plus a constant. */
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", TensorType.of(DType.F32, 4, 300));
        Value e = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(2)), ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, ScalarExpr.read(0)),
                Op.Reduction.NONE), List.of(x), TensorType.of(DType.F32, 4, 300), SOFTMAX);
        Value s = b.add(new Op.Generic(Shape.of(300), List.of(IndexMap.of(dim(0), dim(1))), ScalarExpr.read(0), Op.Reduction.SUM),
                List.of(e), TensorType.of(DType.F32, 4), SOFTMAX);
        Value c = b.add(new Op.Scan(0, Op.Reduction.SUM, false), List.of(s), TensorType.of(DType.F32, 4), Origin.NONE);
        Value k = b.add(new Op.Constant(List.of(1.0, 2.0)), List.of(), TensorType.of(DType.F32, 2), Origin.NONE);
        return b.build(List.of(c, k));
    }

    @Test
    void defaultScheduleChoosesAStrategyPerGroup() {
        Schedule s = DefaultScheduler.schedule(graph());
        // rows of 300 read contiguously: a warp per row; the exponential: four outputs per thread
        assertEquals(List.of(Strategy.POINTWISE, Strategy.WARP, Strategy.SCAN), s.groups().stream().map(GroupSchedule::strategy).toList());
        assertEquals(4, s.groups().get(0).vector());
        assertEquals(List.of("softmax#1", "softmax#1:2", "op#1"), s.groups().stream().map(GroupSchedule::name).toList());
        assertEquals(List.of(), ScheduleLegality.check(graph(), s, MachineModel.SM_90));
        Lowered low = Lowering.lower(graph(), s, MachineModel.SM_90);
        assertEquals(4, low.kernels().size(), "three nodes and a copy of the constant output");
        assertTrue(low.plan().buffers().stream().anyMatch(buf -> buf.role() == LaunchPlan.Role.CONSTANT && buf.values().equals(List.of(1.0, 2.0))));
        assertTrue(TilePrinter.print(low.plan()).contains("launch k1_softmax_1_2 grid(1, 1, 1) block(256, 1, 1)"), TilePrinter.print(low.plan()));
    }

    @Test
    void illegalSchedulesSayWhy() {
        Graph g = graph();
        Schedule defaults = DefaultScheduler.schedule(g);
        GroupSchedule exp = defaults.groups().get(0), sum = defaults.groups().get(1), scan = defaults.groups().get(2);
        Schedule bad = new Schedule(List.of(
                exp.withStrategy(Strategy.BLOCK),
                sum.withThreads(2048),
                scan.withStrategy(Strategy.POINTWISE),
                exp.withName("nothing#9")));
        String all = String.join("\n", ScheduleLegality.check(g, bad, MachineModel.SM_90).stream().map(Object::toString).toList());
        assertTrue(all.contains("group softmax#1: strategy block splits a reduction across threads; this group has none"), all);
        assertTrue(all.contains("group softmax#1:2: threads 2048 exceeds 1024 per block on sm_90"), all);
        assertTrue(all.contains("group op#1: a scan runs with strategy scan (a thread per line) or block (a block per line), not pointwise"), all);
        assertTrue(all.contains("group nothing#9: no such group in g"), all);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Lowering.lower(g, bad, MachineModel.SM_90));
        assertTrue(ex.getMessage().startsWith("illegal schedule for g"), ex.getMessage());
        Schedule plainLong = new Schedule(List.of(exp, sum.withAccumulation(Accumulation.PLAIN), scan));
        assertTrue(ScheduleLegality.check(g, plainLong, MachineModel.SM_90).get(0).message().contains("accumulate plain sums 300 terms"));
    }

    @Test
    void aPartialScheduleGetsDefaultsForTheRest() {
        Graph g = graph();
        Schedule partial = new Schedule(List.of(new GroupSchedule("softmax#1:2", List.of(), Strategy.WARP, 64, 1, 1, Accumulation.DOUBLE, 1)));
        Schedule full = DefaultScheduler.complete(g, partial);
        assertEquals(3, full.groups().size());
        assertEquals(Strategy.WARP, full.group("softmax#1:2").strategy());
        assertEquals(List.of("softmax#1"), full.group("softmax#1:2").members());
        assertEquals(List.of(), ScheduleLegality.check(g, full, MachineModel.SM_90));
    }

    private static GroupSchedule only(Graph g) { return DefaultScheduler.schedule(g).groups().get(0); }

    private static String problem(Graph g, GroupSchedule gs) {
        List<ScheduleLegality.Problem> ps = ScheduleLegality.check(g, new Schedule(List.of(gs)), MachineModel.SM_90);
        return ps.isEmpty() ? null : ps.get(0).toString();
    }

    /** One elementwise group over x [rows, cols] reading the operands through these maps. */
    private static Graph elementwise(long rows, long cols, List<TensorType> operands, List<IndexMap> maps, DType result) {
        GraphBuilder b = new GraphBuilder("e");
        List<Value> in = new java.util.ArrayList<>();
        for (int k = 0; k < operands.size(); k++) in.add(b.input(k < 3 ? "xyz".substring(k, k + 1) : "x" + k, operands.get(k)));
        ScalarExpr body = ScalarExpr.read(0);
        for (int k = 1; k < operands.size(); k++) body = ScalarExpr.binary(ScalarExpr.BinaryOp.ADD, body, ScalarExpr.read(k));
        Value v = b.add(new Op.Generic(Shape.SCALAR, maps, body, Op.Reduction.NONE), in, TensorType.of(result, rows, cols), Origin.NONE);
        return b.build(List.of(v));
    }

    private static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }

    /**
     * x[r, c] + w[c] over 4 rows with w 1 MB: items 4, one a row apart, so a thread reads w's element once from DRAM
     * and then from its cache; a small w (or rows that do not fill the GPU) keeps the plain items.
     */
    @Test
    void itemsRowsApartWhereALargeOperandIsReadOncePerRow() {
        long cols = 1 << 18;
        IndexMap id = IndexMap.identity(2), perColumn = IndexMap.of(dim(1));
        Graph g = elementwise(4, cols, List.of(f32(4, cols), f32(cols)), List.of(id, perColumn), DType.F32);
        GroupSchedule s = DefaultScheduler.schedule(g).groups().get(0);
        assertEquals(4, s.vector());
        assertEquals(4, s.items(), "one item per row");
        Lowered low = Lowering.lower(g, DefaultScheduler.schedule(g), MachineModel.SM_90);
        assertTrue(TilePrinter.print(low.plan()).contains("grid(256, 1, 1) block(256, 1, 1)"), "the grid covers one row: " + TilePrinter.print(low.plan()));
        Graph small = elementwise(4, 1024, List.of(f32(4, 1024), f32(1024)), List.of(id, perColumn), DType.F32);
        assertEquals(1, DefaultScheduler.schedule(small).groups().get(0).items(), "a 4 KB operand stays in cache anyway");
    }

    @Test
    void vectorLegalitySaysWhichOperandAndWhy() {
        IndexMap id = IndexMap.identity(2);
        // legal: a contiguous operand, a row broadcast along the innermost dim, a per-row scalar
        Graph ok = elementwise(8, 64, List.of(f32(8, 64), f32(64), f32(8)), List.of(id, IndexMap.of(dim(1)), IndexMap.of(dim(0))), DType.F32);
        assertEquals(null, problem(ok, only(ok).withVector(4)));
        assertEquals(Strategy.POINTWISE, only(ok).strategy());
        assertEquals(4, only(ok).vector(), "the default takes vector 4 where it is legal");

        Graph transposed = elementwise(8, 1024, List.of(f32(1024, 8)), List.of(IndexMap.of(dim(1), dim(0))), DType.F32);
        assertEquals("group op#1: vector 4: operand x is read with stride 8 along the innermost dim", problem(transposed, only(transposed).withVector(4)));
        assertEquals(1, only(transposed).vector(), "the default falls back to scalar accesses");

        Graph odd = elementwise(8, 6, List.of(f32(8, 6)), List.of(id), DType.F32);
        assertEquals("group op#1: vector 4: the innermost result dim (6) is not a multiple of 4", problem(odd, only(odd).withVector(4)));
        assertEquals(null, problem(odd, only(odd).withVector(2)));
        assertEquals(2, only(odd).vector());

        // x[i, j + 1]: consecutive but starting one element past a 16-byte boundary
        Graph shifted = elementwise(8, 64, List.of(f32(8, 65)), List.of(IndexMap.of(dim(0), add(dim(1), constant(1)))), DType.F32);
        assertTrue(problem(shifted, only(shifted).withVector(4)).endsWith("vector 4: operand x is read from offsets that are not multiples of 4 (a misaligned vector)"),
                problem(shifted, only(shifted).withVector(4)));

        Graph padded = elementwise(8, 64, List.of(f32(8, 64)), List.of(new IndexMap(List.of(dim(0), add(dim(1), constant(-4))), 0.0)), DType.F32);
        assertTrue(problem(padded, only(padded).withVector(4)).contains("operand x is read through a padded map along the innermost dim"));

        Graph half = elementwise(8, 64, List.of(TensorType.of(DType.F16, 8, 64)), List.of(id), DType.F16);
        assertTrue(problem(half, only(half).withVector(4)).contains("vector 4: the result is float16; vector accesses take 32-bit or 64-bit elements"),
                problem(half, only(half).withVector(4)));
        Graph wide = elementwise(8, 64, List.of(TensorType.of(DType.I64, 8, 64)), List.of(id), DType.I64);
        assertTrue(problem(wide, only(wide).withVector(4)).contains("a vector access moves at most 16 bytes (vector 2)"));
        assertEquals(null, problem(wide, only(wide).withVector(2)));

        assertEquals("group op#1: vector 3 is not 1, 2 or 4", problem(ok, only(ok).withVector(3)));
    }

    @Test
    void gridItemsAndVectorKnobsSayWhereTheyApply() {
        Graph g = graph();
        Schedule d = DefaultScheduler.schedule(g);
        GroupSchedule exp = d.groups().get(0), sum = d.groups().get(1).withVector(1);
        assertEquals(4, d.groups().get(1).vector(), "a contiguous 300-term row is read in float4s by default");
        assertEquals("group softmax#1:2: strategy grid needs split 2 or more", problem1(g, d, sum.withStrategy(Strategy.GRID)));
        assertEquals("group softmax#1:2: split 4 needs strategy grid (or tile)", problem1(g, d, sum.withSplits(4)));
        assertEquals("group softmax#1:2: split 301 exceeds the reduction length 300 (a block per term at most)",
                problem1(g, d, sum.withStrategy(Strategy.GRID).withSplits(301)));
        assertEquals(null, problem1(g, d, sum.withStrategy(Strategy.GRID).withSplits(300)));
        assertEquals("group softmax#1: strategy grid splits a reduction across threads; this group has none",
                problem1(g, d, exp.withStrategy(Strategy.GRID).withSplits(2)));
        assertEquals(null, problem1(g, d, sum.withStrategy(Strategy.BLOCK).withVector(4)));
        assertEquals(null, problem1(g, d, sum.withStrategy(Strategy.GRID).withSplits(75).withVector(4)));
        assertEquals("group softmax#1:2: vector 4 with split 76: slices of whole vectors (4 terms) leave the last split empty",
                problem1(g, d, sum.withStrategy(Strategy.GRID).withSplits(76).withVector(4)));
        assertEquals("group softmax#1:2: items 2 applies to strategies pointwise and window only", problem1(g, d, sum.withStrategy(Strategy.BLOCK).withItems(2)));
        assertEquals("group softmax#1: items 65 exceeds 64 per thread", problem1(g, d, exp.withItems(65)));
        assertEquals(null, problem1(g, d, exp.withItems(64).withVector(2)));
        Lowered low = Lowering.lower(g, d.with(sum.withStrategy(Strategy.GRID).withSplits(3)), MachineModel.SM_90);
        assertTrue(low.plan().buffers().stream().anyMatch(b -> b.role() == LaunchPlan.Role.SCRATCH && b.name().endsWith("_partial_err")),
                "a double-word sum keeps its partial errors");
    }

    private static String problem1(Graph g, Schedule d, GroupSchedule changed) {
        List<ScheduleLegality.Problem> ps = ScheduleLegality.check(g, d.with(changed), MachineModel.SM_90);
        return ps.isEmpty() ? null : ps.get(0).toString();
    }

    /** The reductions' strategies by shape (see DefaultScheduler's thresholds). */
    @Test
    void reductionStrategiesFollowTheShape() {
        assertEquals(Strategy.POINTWISE, rowSum(4096, 16).strategy(), "rows shorter than a warp");
        assertEquals(Strategy.WARP, rowSum(4096, 512).strategy(), "many rows of medium length");
        assertEquals(Strategy.BLOCK, rowSum(4096, 8192).strategy(), "long rows, enough of them to fill the GPU");
        GroupSchedule few = rowSum(16, 1 << 20);
        assertEquals(Strategy.GRID, few.strategy(), "a few very long rows");
        assertEquals(132, few.splits(), "two waves of 1056 blocks over 16 rows");
        assertEquals(Strategy.BLOCK, rowSum(64, 4096).strategy(), "a few rows too short for two slices of 4096");
        // a matmul too thin to tile reads its weight down a column: lanes over k would scatter
        GraphBuilder b = new GraphBuilder("mm");
        Value x = b.input("x", f32(512, 64)), w = b.input("w", f32(64, 16));
        Value m = b.add(new Op.Generic(Shape.of(64), List.of(IndexMap.of(dim(0), dim(2)), IndexMap.of(dim(2), dim(1))),
                ScalarExpr.binary(ScalarExpr.BinaryOp.MUL, ScalarExpr.read(0), ScalarExpr.read(1)), Op.Reduction.SUM), List.of(x, w), f32(512, 16), Origin.NONE);
        GroupSchedule mm = only(b.build(List.of(m)));
        assertEquals(Strategy.POINTWISE, mm.strategy());
        assertEquals(4, mm.vector(), "four outputs per thread: w read as vectors, x broadcast");
    }

    private static GroupSchedule rowSum(long rows, long n) {
        GraphBuilder b = new GraphBuilder("rows");
        Value x = b.input("x", f32(rows, n));
        Value s = b.add(new Op.Generic(Shape.of(n), List.of(IndexMap.of(dim(0), dim(1))), ScalarExpr.read(0), Op.Reduction.SUM), List.of(x), f32(rows), Origin.NONE);
        return only(b.build(List.of(s)));
    }

    @Test
    void manyOperandsTakeNarrowerVectors() {
        for (int count : new int[] {8, 9, 17}) {
            List<TensorType> types = java.util.Collections.nCopies(count, f32(16, 64));
            List<IndexMap> maps = java.util.Collections.nCopies(count, IndexMap.identity(2));
            // every vector operand keeps its lanes live: 8 x 4, 9 x 2 and 17 x 1 registers stay within 32
            assertEquals(count == 8 ? 4 : count == 9 ? 2 : 1, only(elementwise(16, 64, types, maps, DType.F32)).vector(), count + " operands");
        }
    }

    @Test
    void bigElementwiseGridsTakeSeveralItemsPerThread() {
        Graph small = elementwise(1024, 1024, List.of(f32(1024, 1024)), List.of(IndexMap.identity(2)), DType.F32);
        assertEquals(1, only(small).items(), "256 blocks of 1024 outputs: a fraction of one wave");
        Graph big = elementwise(1 << 14, 1 << 14, List.of(f32(1 << 14, 1 << 14)), List.of(IndexMap.identity(2)), DType.F32);
        GroupSchedule gs = only(big);
        // 2^28 outputs / 4 per thread / 256 per block = 262144 blocks; 8 waves of 1056 blocks deep gives 31 items, capped at 8
        assertEquals(4, gs.vector());
        assertEquals(8, gs.items());
    }
}
