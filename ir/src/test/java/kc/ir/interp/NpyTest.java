package kc.ir.interp;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

class NpyTest {
    /** Files written by numpy 2.x (np.save), kept as test resources. */
    static HostTensor resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("npy/" + name)) {
            assertNotNull(in, name);
            return Npy.read(in);
        }
    }

    @Test
    void readsWhatNumpyWrites() throws IOException {
        HostTensor f4 = resource("f4_2x3.npy");
        assertEquals(TensorType.of(DType.F32, 2, 3), f4.type());
        assertArrayEquals(new double[] {1.5, -2, 3, 4, 5.25, (float) -6e-8}, f4.data());

        HostTensor scalar = resource("f8_scalar.npy");
        assertEquals(TensorType.of(DType.F64), scalar.type());
        assertEquals(Math.PI, scalar.getFlat(0));

        HostTensor half = resource("f2_4.npy");
        assertEquals(DType.F16, half.dtype());
        assertEquals(0.5, half.getFlat(0));
        assertEquals(65504, half.getFlat(2));
        assertEquals(1e-3, half.getFlat(3), 1e-6);

        HostTensor i8 = resource("i8_3.npy");
        assertEquals(TensorType.of(DType.I64, 3), i8.type());
        assertArrayEquals(new long[] {-9007199254740992L, 0, 42}, i8.toLongArray());

        assertArrayEquals(new long[] {1, -2, 3, 4}, resource("i4_2x2.npy").toLongArray());
        assertEquals(DType.I32, resource("i4_2x2.npy").dtype());

        HostTensor b = resource("b1_5.npy");
        assertEquals(TensorType.of(DType.BOOL, 5), b.type());
        assertArrayEquals(new double[] {1, 0, 1, 1, 0}, b.data());

        assertArrayEquals(new long[] {0, 200, 255}, resource("u1_3.npy").toLongArray());

        HostTensor fortran = resource("f4_fortran_2x3.npy");
        assertEquals(Shape.of(2, 3), fortran.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, fortran.data(), "Fortran order comes back row-major");

        assertEquals(TensorType.of(DType.F32, 0, 3), resource("f4_empty_0x3.npy").type());
        assertArrayEquals(new double[] {7, 8}, resource("f4_v2_2.npy").data(), "version 2.0 header");
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        // numpy pads the header to 64 bytes with spaces and a newline, exactly as kc does
        for (String name : new String[] {"f4_2x3.npy", "f8_scalar.npy", "i8_3.npy", "b1_5.npy", "f2_4.npy", "i4_2x2.npy", "f4_empty_0x3.npy"}) {
            byte[] original;
            try (InputStream in = NpyTest.class.getResourceAsStream("npy/" + name)) { original = in.readAllBytes(); }
            assertArrayEquals(original, Npy.toBytes(Npy.read(original)), name);
        }
    }

    @Test
    void roundTripsEveryDtypeThroughAFile(@TempDir Path dir) throws IOException {
        HostTensor[] tensors = {
            HostTensor.ofDoubles(Shape.of(2, 2), 1e-300, Double.NaN, Double.NEGATIVE_INFINITY, -0.0),
            HostTensor.ofFloats(Shape.of(3), 1.25f, Float.MAX_VALUE, Float.MIN_VALUE),
            HostTensor.of(TensorType.of(DType.F16, 2), new double[] {0.333251953125, -2048}),
            HostTensor.ofLongs(Shape.of(1, 3), Long.MIN_VALUE + 1024, -1, (1L << 53)),
            HostTensor.ofLongs(DType.I32, Shape.of(2), Integer.MIN_VALUE, Integer.MAX_VALUE),
            HostTensor.ofBooleans(Shape.of(2, 1, 2), true, false, false, true),
            HostTensor.scalar(DType.F32, 2.5),
        };
        for (HostTensor t : tensors) {
            Path f = dir.resolve("t.npy");
            Npy.write(f, t);
            assertEquals(0, (Files.size(f) - t.numel() * (long) t.dtype().bytes) % 64, "data aligned to 64 bytes");
            assertEquals(t, Npy.read(f), t.toString());
        }
    }

    @Test
    void refusesWhatItCannotRepresent() {
        assertThrows(IllegalArgumentException.class,
                () -> Npy.toBytes(HostTensor.of(TensorType.of(DType.BF16, 1), new double[] {1})));
        var e = assertThrows(IOException.class, () -> Npy.read("hello, world".getBytes()));
        assertTrue(e.getMessage().contains("not a .npy"), e.getMessage());
        byte[] bigEndian = Npy.toBytes(HostTensor.ofFloats(Shape.of(1), 1f));
        String header = new String(bigEndian, 0, 64, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", ">f4");
        System.arraycopy(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bigEndian, 0, 64);
        var be = assertThrows(IOException.class, () -> Npy.read(bigEndian));
        assertTrue(be.getMessage().contains(">f4"), be.getMessage());
    }

    @Test
    void headerSaysWhereTheRawDataIs(@TempDir Path dir) throws IOException {
        HostTensor t = HostTensor.generate(TensorType.of(DType.I64, 3, 5), i -> i * 7);
        Path f = dir.resolve("t.npy");
        Npy.write(f, t);
        Npy.Header h = Npy.header(f);
        assertEquals(DType.I64, h.dtype());
        assertEquals(Shape.of(3, 5), h.shape());
        assertEquals(Files.size(f), h.dataOffset() + h.dataBytes());
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(14 * 7, java.nio.ByteBuffer.wrap(bytes, (int) h.dataOffset() + 14 * 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertThrows(IOException.class, () -> Npy.header(f), "a truncated file is refused");
    }
}
