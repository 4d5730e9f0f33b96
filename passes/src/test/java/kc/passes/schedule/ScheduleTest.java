package kc.passes.schedule;

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
        assertEquals(List.of(Strategy.POINTWISE, Strategy.BLOCK, Strategy.SCAN), s.groups().stream().map(GroupSchedule::strategy).toList());
        assertEquals(List.of("softmax#1", "softmax#1:2", "op#1"), s.groups().stream().map(GroupSchedule::name).toList());
        assertEquals(List.of(), ScheduleLegality.check(graph(), s, MachineModel.SM_90));
        Lowered low = Lowering.lower(graph(), s, MachineModel.SM_90);
        assertEquals(4, low.kernels().size(), "three nodes and a copy of the constant output");
        assertTrue(low.plan().buffers().stream().anyMatch(buf -> buf.role() == LaunchPlan.Role.CONSTANT && buf.values().equals(List.of(1.0, 2.0))));
        assertTrue(TilePrinter.print(low.plan()).contains("launch k1_softmax_1_2 grid(4, 1, 1) block(256, 1, 1)"), TilePrinter.print(low.plan()));
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
        assertTrue(all.contains("group op#1: a scan runs with strategy scan, not pointwise"), all);
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
}
