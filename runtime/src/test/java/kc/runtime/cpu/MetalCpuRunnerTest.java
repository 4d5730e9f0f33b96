package kc.runtime.cpu;

import static kc.ir.graph.IndexExpr.dim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
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
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;

/** Lowered graphs through the metal-cpu backend (MSL compiled with the CPU shim) against the interpreter. */
class MetalCpuRunnerTest {
    private static final Origin O = Origin.NONE;

    private static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }

    private static ScalarExpr r(int k) { return ScalarExpr.read(k); }

    private static void assertAgrees(Graph g, Lowered low) {
        Random rnd = new Random(7);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : g.inputs()) inputs.add(HostTensor.generate(v.type(), i -> (float) (rnd.nextDouble() * 4 - 2)));
        List<HostTensor> got = CpuRunner.run(low.kernels(), low.plan(), inputs, Map.of(), "metal-cpu");
        List<HostTensor> want = Interpreter.run(g, inputs, Map.of());
        assertEquals(want.size(), got.size());
        for (int o = 0; o < want.size(); o++)
            for (int i = 0; i < want.get(o).numel(); i++) {
                double a = got.get(o).getFlat(i), b = want.get(o).getFlat(i);
                assertTrue(Math.abs(a - b) <= 1e-4 + 1e-4 * Math.abs(b), "output " + o + " element " + i + ": " + a + " vs " + b);
            }
    }

    @Test
    void softmaxWithDefaultSchedule() {
        GraphBuilder b = new GraphBuilder("softmax");
        Value x = b.input("x", f32(3, 37));
        Value mx = b.add(new Op.Generic(Shape.of(37), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.MAX), List.of(x), f32(3), O);
        Value e = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0))),
                ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, ScalarExpr.binary(BinaryOp.SUB, r(0), r(1))), Op.Reduction.NONE), List.of(x, mx), f32(3, 37), O);
        Value s = b.add(new Op.Generic(Shape.of(37), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(e), f32(3), O);
        Value y = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.of(dim(0), dim(1)), IndexMap.of(dim(0))),
                ScalarExpr.binary(BinaryOp.DIV, r(0), r(1)), Op.Reduction.NONE), List.of(e, s), f32(3, 37), O);
        Graph g = b.build(List.of(y));
        assertAgrees(g, Lowering.lower(g));
    }

    @Test
    void rowSumsAsBlockReductions() {
        // threadgroup-wide reductions: simdgroup sums, threadgroup memory and barriers in the MSL
        GraphBuilder b = new GraphBuilder("rowsum");
        Value x = b.input("x", f32(5, 700));
        Value s = b.add(new Op.Generic(Shape.of(700), List.of(IndexMap.of(dim(0), dim(1))), r(0), Op.Reduction.SUM), List.of(x), f32(5), O);
        Graph g = b.build(List.of(s));
        Schedule d = DefaultScheduler.schedule(g);
        Schedule sch = d.with(d.groups().get(0).withStrategy(Strategy.BLOCK).withThreads(128));
        Lowered low = Lowering.lower(g, sch, kc.passes.cost.MachineModel.SM_90);
        assertTrue(low.kernels().stream().anyMatch(kc.codegen.metal.MetalRenderer::synchronises), "a block reduction synchronises");
        assertAgrees(g, low);
    }

    @Test
    void unknownBackendIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuRunner.run(List.of(), new kc.ir.tile.LaunchPlan("m", List.of(), List.of()), List.of(), Map.of(), "opencl-cpu"));
        assertTrue(e.getMessage().contains("metal-cpu"), e.getMessage());
    }
}
