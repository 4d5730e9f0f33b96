package kc.passes.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;

/** Nodes alike but for their buffers share one kernel; each launch still names its own buffers. */
class SharedKernelsTest {
    private static final TensorType T = TensorType.of(DType.F32, 3, 5);

    private static Value node(GraphBuilder b, ScalarExpr body, Value... operands) {
        List<IndexMap> maps = java.util.Collections.nCopies(operands.length, IndexMap.identity(2));
        return b.add(new Op.Generic(Shape.SCALAR, maps, body, Op.Reduction.NONE), List.of(operands), T, Origin.NONE);
    }

    private static ScalarExpr mul() { return ScalarExpr.binary(ScalarExpr.BinaryOp.MUL, ScalarExpr.read(0), ScalarExpr.read(1)); }

    private static Map<String, Kernel> byName(Lowered l) {
        Map<String, Kernel> m = new HashMap<>();
        for (Kernel k : l.kernels()) m.put(k.name(), k);
        return m;
    }

    @Test void alikeNodesShareAKernelAndLaunchOnTheirOwnBuffers() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", T), y = b.input("y", T);
        ScalarExpr exp = ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, ScalarExpr.read(0));
        Value e1 = node(b, exp, x), e2 = node(b, exp, y), e3 = node(b, exp, e1);
        Lowered l = Lowering.lower(b.build(List.of(e2, e3)));
        assertEquals(1, l.kernels().size());
        List<LaunchPlan.KernelLaunch> launches = l.plan().launches();
        assertEquals(3, launches.size());
        for (LaunchPlan.KernelLaunch launch : launches) assertEquals(l.kernels().get(0).name(), launch.kernel());
        assertEquals(List.of("g_t" + e1.id(), "g_in0"), launches.get(0).args());
        assertEquals(List.of("g_out0", "g_in1"), launches.get(1).args());
        assertEquals(List.of("g_out1", "g_t" + e1.id()), launches.get(2).args());
    }

    @Test void readingOneBufferTwiceIsNotAlikeReadingTwo() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", T), y = b.input("y", T);
        Value square = node(b, mul(), x, x); // one parameter for x
        Value product = node(b, mul(), x, y); // same op and types, two parameters
        Value again = node(b, mul(), y, y);
        Lowered l = Lowering.lower(b.build(List.of(square, product, again)));
        assertEquals(2, l.kernels().size());
        Map<String, Kernel> kernels = byName(l);
        List<LaunchPlan.KernelLaunch> launches = l.plan().launches();
        assertEquals(List.of("g_out0", "g_in0"), launches.get(0).args());
        assertEquals(List.of("g_out1", "g_in0", "g_in1"), launches.get(1).args());
        assertEquals(List.of("g_out2", "g_in1"), launches.get(2).args());
        assertEquals(launches.get(0).kernel(), launches.get(2).kernel());
        assertNotEquals(launches.get(0).kernel(), launches.get(1).kernel());
        for (LaunchPlan.KernelLaunch launch : launches)
            assertEquals(kernels.get(launch.kernel()).params().size(), launch.args().size());
    }
}
