package kc.runtime.gpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Json;

/**
 * Reads a safetensors file (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
 * byte range, then the bytes) into float arrays by tensor name: weights for {@link CompiledModel}. F32, F64, F16,
 * BF16, I64, I32 and BOOL tensors are read; each must fit one Java array.
 */
public final class Safetensors {
    private Safetensors() {}

    public static Map<String, float[]> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0, file);
            long headerBytes = head.flip().getLong();
            if (headerBytes <= 0 || headerBytes > 100_000_000 || 8 + headerBytes > ch.size())
                throw new IOException(file + ": not a safetensors file (header length " + headerBytes + ")");
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            readFully(ch, header, 8, file);
            Object parsed;
            try {
                parsed = Json.parse(new String(header.array(), StandardCharsets.UTF_8));
            } catch (Json.JsonException e) {
                throw new IOException(file + ": its header is not JSON: " + e.getMessage());
            }
            if (!(parsed instanceof Map<?, ?> entries)) throw new IOException(file + ": its header is not a JSON object");
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) continue;
                if (!(e.getValue() instanceof Map<?, ?> t) || !(t.get("dtype") instanceof String dtype)
                        || !(t.get("data_offsets") instanceof List<?> range) || range.size() != 2)
                    throw new IOException(file + ": tensor " + name + " has no dtype or data_offsets");
                long begin = ((Number) range.get(0)).longValue(), end = ((Number) range.get(1)).longValue();
                int size = switch (dtype) {
                    case "F64", "I64" -> 8;
                    case "F32", "I32" -> 4;
                    case "F16", "BF16" -> 2;
                    case "BOOL", "U8", "I8" -> 1;
                    default -> throw new IOException(file + ": tensor " + name + " has dtype " + dtype + ", which kc does not read");
                };
                long count = (end - begin) / size;
                if (begin < 0 || end < begin || (end - begin) % size != 0 || 8 + headerBytes + end > ch.size())
                    throw new IOException(file + ": tensor " + name + " has a bad byte range " + begin + ".." + end);
                if (count > Integer.MAX_VALUE - 16) throw new IOException(file + ": tensor " + name + " has more elements than a Java array holds");
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, 8 + headerBytes + begin, file);
                data.flip();
                float[] values = new float[(int) count];
                for (int i = 0; i < values.length; i++) {
                    values[i] = switch (dtype) {
                        case "F64" -> (float) data.getDouble();
                        case "I64" -> data.getLong();
                        case "F32" -> data.getFloat();
                        case "I32" -> data.getInt();
                        case "F16" -> Float.float16ToFloat(data.getShort());
                        case "BF16" -> Float.intBitsToFloat(data.getShort() << 16);
                        case "I8" -> data.get();
                        default -> data.get() & 0xFF;
                    };
                }
                out.put(name, values);
            }
            return out;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long at, Path file) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, at + into.position());
            if (n < 0) throw new IOException(file + ": ends early");
        }
    }
}
