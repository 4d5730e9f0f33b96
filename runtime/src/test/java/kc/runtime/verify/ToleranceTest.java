package kc.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;
import kc.passes.schedule.Precision;

/** Each precision class's tolerance: fp32's absolute 1e-4, the reduced classes' 1e-2 of the reference's rms. */
class ToleranceTest {
    /** A reference of typical size 100 with one output near 0, and an output off by {@code error} everywhere. */
    private static Comparison compare(double error, Precision precision) {
        double[] ref = {100, -100, 100, -100, 0.001}, out = new double[ref.length];
        for (int i = 0; i < ref.length; i++) out[i] = ref[i] + error;
        Shape shape = Shape.of(ref.length);
        return Comparison.of(HostTensor.of(DType.F32, shape, out), HostTensor.of(DType.F32, shape, ref), Tolerance.of(DType.F32, precision));
    }

    @Test void fp32AccurateClassesAreAbsolute() {
        assertTrue(compare(5e-5, Precision.TF32X3).passed());
        Comparison c = compare(5e-3, Precision.FP32);
        assertFalse(c.passed());
        assertEquals(1, c.mismatches(), "only the output near 0 misses; the others have rtol's room");
    }

    @Test void reducedClassesScaleAtolByTheReferencesRms() {
        // rms of the reference is about 89: atol 0.89, so an error of 0.5 on the output near 0 passes, 1.0 does not
        assertTrue(compare(0.5, Precision.TF32).passed());
        Comparison c = compare(1.5, Precision.BF16);
        assertFalse(c.passed());
        assertTrue(c.reason().contains("0.01 x the reference's rms"), c.reason());
        assertEquals(Tolerance.forDType(DType.I32), Tolerance.of(DType.I32, Precision.BF16), "integers stay exact");
        assertEquals(Tolerance.forDType(DType.F32), Tolerance.of(DType.F32, (String) null), "an unrecorded class is fp32's");
    }
}
