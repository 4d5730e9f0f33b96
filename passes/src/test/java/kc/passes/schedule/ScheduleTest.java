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
    void defaultScheduleChoosesAStrategyPerNode() {
        Schedule s = DefaultScheduler.schedule(graph());
        assertEquals(List.of(Strategy.POINTWISE, Strategy.BLOCK_REDUCE, Strategy.SCAN), s.kernels().stream().map(KernelSchedule::strategy).toList());
        assertEquals(List.of(), ScheduleLegality.check(graph(), s));
        Lowered low = Lowering.lower(graph(), s);
        assertEquals(4, low.kernels().size(), "three nodes and a copy of the constant output");
        assertTrue(low.plan().buffers().stream().anyMatch(buf -> buf.role() == LaunchPlan.Role.CONSTANT && buf.values().equals(List.of(1.0, 2.0))));
        assertTrue(TilePrinter.print(low.plan()).contains("launch k1_softmax grid(4, 1, 1) block(256, 1, 1)"), TilePrinter.print(low.plan()));
    }

    @Test
    void illegalSchedulesSayWhy() {
        Graph g = graph();
        int e = g.nodes().get(0).result().id(), s = g.nodes().get(1).result().id(), c = g.nodes().get(2).result().id();
        Schedule bad = new Schedule(List.of(
                new KernelSchedule("k0", List.of(e), Strategy.BLOCK_REDUCE, 256, Tiling.NONE),
                new KernelSchedule("k1", List.of(c), Strategy.POINTWISE, 2048, Tiling.NONE)));
        String all = String.join("\n", ScheduleLegality.check(g, bad));
        assertTrue(all.contains("kernel k0 (softmax#1): BLOCK_REDUCE needs a reduction; node %" + e + " has none"), all);
        assertTrue(all.contains("kernel k1: 2048 threads per block, outside 1..1024"), all);
        assertTrue(all.contains("kernel k1: POINTWISE needs a generic op; node %" + c + " is scan.sum"), all);
        assertTrue(all.contains("kernel k1: node %" + c + " reads %" + s + " before any kernel computes it"), all);
        assertTrue(all.contains("node %" + s + " (generic.sum) is computed by no kernel"), all);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Lowering.lower(g, bad));
        assertTrue(ex.getMessage().startsWith("illegal schedule for g"), ex.getMessage());
    }
}
