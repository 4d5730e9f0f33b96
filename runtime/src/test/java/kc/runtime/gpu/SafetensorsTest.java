package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kc's safetensors reader on files written here byte by byte, as the format specifies. */
class SafetensorsTest {
    @TempDir Path tmp;

    private Path write(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = tmp.resolve("w" + System.nanoTime() + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test void readsFloatHalfAndIntegerTensorsByName() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(12 + 4 + 16).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f).putFloat(3.25f);                                   // w: F32[3] at 0..12
        d.putShort(Float.floatToFloat16(0.5f)).putShort((short) (Float.floatToRawIntBits(-4f) >>> 16)); // h: F16[1], b: BF16[1]
        d.putLong(7).putLong(-3);                                                             // i: I64[2]
        Path f = write("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[12,14]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[14,16]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]}}", d.array());
        Map<String, float[]> t = Safetensors.read(f);
        assertEquals(List.of("w", "h", "b", "i"), List.copyOf(t.keySet()));
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, t.get("w"));
        assertArrayEquals(new float[] {0.5f}, t.get("h"));
        assertArrayEquals(new float[] {-4f}, t.get("b"));
        assertArrayEquals(new float[] {7f, -3f}, t.get("i"));
    }

    @Test void badFilesSayWhatIsWrong() throws IOException {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(write("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", new byte[8])));
        assertTrue(e.getMessage().contains("tensor w has a bad byte range"), e.getMessage());
        e = assertThrows(IOException.class, () -> Safetensors.read(write("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8])));
        assertTrue(e.getMessage().contains("dtype C64"), e.getMessage());
        Path junk = tmp.resolve("junk");
        Files.write(junk, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Safetensors.read(junk));
    }
}
