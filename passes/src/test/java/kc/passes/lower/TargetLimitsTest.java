package kc.passes.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.SourcePos;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.passes.cost.MachineModel;
import kc.passes.schedule.ScheduleLegality.Problem;

class TargetLimitsTest {
    /** exp(x) then row sums of 300 (scheduled a block per row: shared memory for the warps' partials); x is output too. */
    private static Lowered lowered() {
        Origin softmax = new Origin("softmax", 1, "", SourcePos.UNKNOWN);
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", TensorType.of(DType.F32, 4, 300));
        Value e = b.add(new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(2)), ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, ScalarExpr.read(0)),
                Op.Reduction.NONE), List.of(x), TensorType.of(DType.F32, 4, 300), softmax);
        Value s = b.add(new Op.Generic(Shape.of(300), List.of(IndexMap.of(IndexExpr.dim(0), IndexExpr.dim(1))), ScalarExpr.read(0), Op.Reduction.SUM),
                List.of(e), TensorType.of(DType.F32, 4), softmax);
        Graph g = b.build(List.of(s, x)); // x as an output needs a copy, which no group owns
        kc.passes.schedule.Schedule d = kc.passes.schedule.DefaultScheduler.schedule(g);
        return Lowering.lower(g, d.with(d.group("softmax#1:2").withStrategy(kc.passes.schedule.Strategy.BLOCK).withThreads(256)), MachineModel.SM_90);
    }

    private static MachineModel limits(int threads, long shared, int registers) {
        return new MachineModel("tiny", "a test part", 1e12, 1e12, threads, shared, registers, 255, 4);
    }

    @Test void theDefaultsFitTheRealTargets() {
        assertEquals(List.of(), TargetLimits.check(lowered(), MachineModel.SM_90));
        assertEquals(List.of(), TargetLimits.check(lowered(), MachineModel.APPLE));
    }

    @Test void eachGroupOverALimitIsNamedOnceWithTheLimit() {
        Lowered l = lowered();
        assertEquals(List.of("softmax#1:2"), l.launchGroups().subList(1, 2), "the reduction is the second launch");
        assertEquals(List.of(
                        new Problem("softmax#1", "threads 256 exceeds 128 per block on tiny"),
                        new Problem("softmax#1:2", "threads 256 exceeds 128 per block on tiny"),
                        new Problem(null, "kernel " + l.plan().launches().get(2).kernel() + ": threads 256 exceeds 128 per block on tiny")),
                TargetLimits.check(l, limits(128, 1 << 20, 65536)));
        long shared = l.plan().launches().get(1).sharedBytes();
        assertEquals(List.of(new Problem("softmax#1:2", "shared memory " + shared + " bytes exceeds 8 per block on tiny")),
                TargetLimits.check(l, limits(1024, 8, 65536)));
    }

    @Test void registersPerBlockCountOnlyTheKernelsTheAssemblerReported() {
        Lowered l = lowered();
        String reduction = l.plan().launches().get(1).kernel();
        assertEquals(List.of(new Problem("softmax#1:2", "registers 40 x 256 threads = 10240 exceeds 8192 per block on tiny")),
                TargetLimits.registers(l, Map.of(reduction, 40), limits(1024, 1 << 20, 8192)));
        assertEquals(List.of(), TargetLimits.registers(l, Map.of(reduction, 32), limits(1024, 1 << 20, 8192)));
    }
}
