package kc.ir.interp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

class HostTensorTest {
    @Test
    void factoriesSetTheDtypeAndNormalise() {
        assertEquals(TensorType.of(DType.F32, 2), HostTensor.ofFloats(Shape.of(2), 1.5f, 2f).type());
        assertEquals(TensorType.of(DType.F64, 1), HostTensor.ofDoubles(Shape.of(1), 0.1).type());
        assertEquals(0.1, HostTensor.ofDoubles(Shape.of(1), 0.1).getFlat(0));
        assertEquals((double) 0.1f, HostTensor.ofFloats(Shape.of(1), 0.1f).getFlat(0));
        HostTensor ints = HostTensor.of(TensorType.of(DType.I64, 3), new double[] {2.9, -2.9, 7});
        assertArrayEquals(new long[] {2, -2, 7}, ints.toLongArray());
        HostTensor bools = HostTensor.of(TensorType.of(DType.BOOL, 3), new double[] {2, 0, -1});
        assertArrayEquals(new double[] {1, 0, 1}, bools.data());
        assertEquals(DType.BOOL, HostTensor.ofBooleans(Shape.of(1), true).dtype());
        assertEquals(DType.I32, HostTensor.ofLongs(DType.I32, Shape.of(1), 5).dtype());
        assertEquals(Shape.SCALAR, HostTensor.scalar(DType.F32, 1).shape());
        assertThrows(IllegalArgumentException.class, () -> HostTensor.ofDoubles(Shape.of(3), 1, 2));
    }

    @Test
    void isImmutable() {
        double[] src = {1, 2};
        HostTensor t = HostTensor.ofDoubles(Shape.of(2), src);
        src[0] = 99;
        t.data()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, t.data());
    }

    @Test
    void accessorsAndEquality() {
        HostTensor t = HostTensor.ofDoubles(Shape.of(2, 3), 0, 1, 2, 3, 4, 5);
        assertEquals(5, t.get(1, 2));
        assertEquals(3, t.getFlat(3));
        assertEquals(6, t.numel());
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(1));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toFloatArray());
        assertEquals(t, HostTensor.ofDoubles(Shape.of(2, 3), 0, 1, 2, 3, 4, 5));
        assertNotEquals(t, HostTensor.ofDoubles(Shape.of(3, 2), 0, 1, 2, 3, 4, 5));
        assertEquals(HostTensor.ofDoubles(Shape.of(1), Double.NaN), HostTensor.ofDoubles(Shape.of(1), Double.NaN));
        assertEquals(Shape.of(3, 2), t.withType(TensorType.of(DType.F64, 3, 2)).shape());
        assertTrue(t.toString().startsWith("f64[2, 3] [0.0, 1.0"), t.toString());
    }

    @Test
    void convertsBetweenDtypes() {
        HostTensor t = HostTensor.ofDoubles(Shape.of(3), -1.5, 0, 2.5);
        assertEquals(TensorType.of(DType.I64, 3), t.to(DType.I64).type());
        assertArrayEquals(new double[] {-1, 0, 2}, t.to(DType.I64).data());
        assertArrayEquals(new double[] {1, 0, 1}, t.to(DType.BOOL).data());
        assertArrayEquals(new double[] {-1.5, 0, 2.5}, t.to(DType.F32).data());
        assertSame(t, t.to(DType.F64));
    }
}
