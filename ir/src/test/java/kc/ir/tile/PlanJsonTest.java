package kc.ir.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;

class PlanJsonTest {
    static LaunchPlan sample() {
        return new LaunchPlan("m", List.of(
                new LaunchPlan.Buffer("x", LaunchPlan.Role.INPUT, 0, null, DType.F32, Shape.of(4, 8), null),
                new LaunchPlan.Buffer("w", LaunchPlan.Role.PARAM, 0, "fc.weight", DType.BF16, Shape.of(8), null),
                new LaunchPlan.Buffer("c", LaunchPlan.Role.CONSTANT, 0, null, DType.F64, Shape.of(4),
                        Arrays.asList(1.5, Double.NaN, Double.NEGATIVE_INFINITY, 3.0)),
                new LaunchPlan.Buffer("t", LaunchPlan.Role.SCRATCH, 0, null, DType.I64, Shape.of(2, 2), null),
                new LaunchPlan.Buffer("y", LaunchPlan.Role.OUTPUT, 1, null, DType.BOOL, Shape.of(), null)),
                List.of(new LaunchPlan.KernelLaunch("k0", new Launch(70000, 2, 1, 128, 2, 1), List.of("t", "x", "w"), 512),
                        new LaunchPlan.KernelLaunch("k1", Launch.linear(1, 32), List.of("y", "t", "c"), 0)));
    }

    @Test void readGivesBackWhatWriteWrote() {
        LaunchPlan plan = sample();
        PlanJson.Read read = PlanJson.read(PlanJson.write(plan, "m.ptx"));
        assertEquals("m.ptx", read.kernelFile());
        assertEquals(plan.model(), read.plan().model());
        assertEquals(plan.launches(), read.plan().launches());
        for (int i = 0; i < plan.buffers().size(); i++) {
            LaunchPlan.Buffer a = plan.buffers().get(i), b = read.plan().buffers().get(i);
            assertEquals(List.of(a.name(), a.role(), a.index(), String.valueOf(a.key()), a.dtype(), a.shape()),
                    List.of(b.name(), b.role(), b.index(), String.valueOf(b.key()), b.dtype(), b.shape()));
            assertEquals(String.valueOf(a.values()), String.valueOf(b.values()));
        }
    }

    @Test void malformedPlansAreRefusedWithTheEntryNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanJson.read("{\"model\": \"m\", \"kernels\": \"k.ptx\", \"buffers\": [{\"name\": \"x\", \"role\": \"input\", \"dtype\": \"float7\", \"shape\": [1]}], \"launches\": []}"));
        assertTrue(e.getMessage().contains("float7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlanJson.read("{\"model\": \"m\", \"kernels\": \"k.ptx\", \"launches\": []}"));
    }
}
