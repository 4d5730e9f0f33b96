package kc.ir.interp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/**
 * NumPy's .npy format (versions 1.0, 2.0 and 3.0), how kc exchanges weights, inputs and outputs with PyTorch.
 * Reads little-endian {@code <f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1 |b1} in C or Fortran order (u1, i1 and i2 become
 * I32, the narrowest integer dtype kc has); writes C order, little-endian, version 1.0 (2.0 when the header
 * needs it). bfloat16 has no .npy dtype and is refused.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    public static HostTensor read(Path file) throws IOException {
        try {
            return read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static HostTensor read(InputStream in) throws IOException { return read(in.readAllBytes()); }

    /**
     * What a .npy file holds and where its raw little-endian, row-major data starts: for runtimes that move the
     * bytes themselves (gigabyte tensors do not fit a double[]).
     */
    public record Header(DType dtype, Shape shape, long dataOffset) {
        public long dataBytes() { return shape.numel() * dtype.bytes; }
    }

    /** Reads only the header; fortran-ordered arrays (which numpy writes only when asked) are refused. */
    public static Header header(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(1 << 16);
        }
        ByteBuffer buf = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (head.length < 10) throw new IOException(file + ": not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) if (head[i] != MAGIC[i]) throw new IOException(file + ": not a .npy file (bad magic)");
        int major = head[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int headerStart = major == 1 ? 10 : 12;
        if (headerStart + headerLength > head.length) throw new IOException(file + ": .npy header too long");
        String header = new String(head, headerStart, headerLength, StandardCharsets.ISO_8859_1);
        if (field(header, "fortran_order", "(True|False)").equals("True")) throw new IOException(file + ": fortran-ordered .npy");
        Element element = Element.parse(field(header, "descr", "'([^']*)'"));
        Header h = new Header(element.dtype, Shape.of(parseShape(field(header, "shape", "\\(([^)]*)\\)"))), headerStart + headerLength);
        if (Files.size(file) < h.dataOffset() + h.dataBytes()) throw new IOException(file + ": .npy data shorter than its header says");
        return h;
    }

    /** @throws IOException when the bytes are not a supported .npy array */
    public static HostTensor read(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new IOException("not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) if (bytes[i] != MAGIC[i]) throw new IOException("not a .npy file (bad magic)");
        int major = bytes[6];
        int headerLength, headerStart;
        switch (major) {
            case 1 -> { headerLength = Short.toUnsignedInt(buf.getShort(8)); headerStart = 10; }
            case 2, 3 -> { headerLength = buf.getInt(8); headerStart = 12; }
            default -> throw new IOException("unsupported .npy version " + major + "." + bytes[7]);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) throw new IOException(".npy header runs past the end of the file");
        String header = new String(bytes, headerStart, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = field(header, "descr", "'([^']*)'");
        boolean fortran = field(header, "fortran_order", "(True|False)").equals("True");
        long[] dims = parseShape(field(header, "shape", "\\(([^)]*)\\)"));
        Shape shape = Shape.of(dims);
        Element element = Element.parse(descr);
        int n = Math.toIntExact(shape.numel());
        int dataStart = headerStart + headerLength;
        if ((long) n * element.bytes > bytes.length - dataStart)
            throw new IOException(".npy data is shorter than " + shape + " of " + descr);
        buf.position(dataStart);
        double[] data = new double[n];
        for (int i = 0; i < n; i++) data[i] = element.get(buf);
        if (fortran && shape.rank() > 1) data = fromFortranOrder(data, dims);
        return new HostTensor(new TensorType(element.dtype, shape), data);
    }

    public static void write(Path file, HostTensor t) throws IOException {
        Files.write(file, toBytes(t));
    }

    /** The .npy bytes of t (C order, little-endian). */
    public static byte[] toBytes(HostTensor t) {
        Element element = Element.of(t.dtype());
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.shape().rank(); i++) shape.append(i == 0 ? "" : ", ").append(t.shape().dim(i));
        if (t.shape().rank() == 1) shape.append(',');
        shape.append(')');
        String dict = "{'descr': '" + element.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        // pad with spaces and a newline so the data starts at a multiple of 64 bytes
        int prefix = dict.length() + 1 + 10 > 65535 ? 12 : 10;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(total + t.numel() * element.bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC);
        if (prefix == 10) buf.put((byte) 1).put((byte) 0).putShort((short) header.length());
        else buf.put((byte) 2).put((byte) 0).putInt(header.length());
        buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
        double[] data = t.raw();
        for (double v : data) element.put(buf, v);
        return buf.array();
    }

    private static String field(String header, String key, String valuePattern) throws IOException {
        Matcher m = Pattern.compile("['\"]" + key + "['\"]\\s*:\\s*" + valuePattern).matcher(header);
        if (!m.find()) throw new IOException(".npy header has no " + key + ": " + header.trim());
        return m.group(1);
    }

    private static long[] parseShape(String text) throws IOException {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) continue;
            try { dims.add(Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s)); }
            catch (NumberFormatException e) { throw new IOException("bad .npy shape (" + text + ")"); }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Reorders column-major elements into row-major. */
    private static double[] fromFortranOrder(double[] col, long[] dims) {
        double[] row = new double[col.length];
        long[] coord = new long[dims.length];
        long[] colStride = new long[dims.length];
        long s = 1;
        for (int i = 0; i < dims.length; i++) { colStride[i] = s; s *= dims[i]; }
        for (int r = 0; r < row.length; r++) {
            long off = 0;
            for (int i = 0; i < dims.length; i++) off += coord[i] * colStride[i];
            row[r] = col[(int) off];
            for (int i = dims.length - 1; i >= 0; i--) { if (++coord[i] < dims[i]) break; coord[i] = 0; }
        }
        return row;
    }

    /** An element encoding: its descr, size, kc dtype, and how to read and write one element. */
    private enum Element {
        F8("<f8", 8, DType.F64), F4("<f4", 4, DType.F32), F2("<f2", 2, DType.F16),
        I8("<i8", 8, DType.I64), I4("<i4", 4, DType.I32), I2("<i2", 2, DType.I32), I1("|i1", 1, DType.I32),
        U1("|u1", 1, DType.I32), B1("|b1", 1, DType.BOOL);

        final String descr;
        final int bytes;
        final DType dtype;

        Element(String descr, int bytes, DType dtype) { this.descr = descr; this.bytes = bytes; this.dtype = dtype; }

        static Element parse(String descr) throws IOException {
            // one-byte types may be written with any byte-order mark; wider ones must be little-endian
            String d = descr.length() == 3 && descr.endsWith("1") ? "|" + descr.substring(1) : descr;
            for (Element e : values()) if (e.descr.equals(d)) return e;
            throw new IOException("unsupported .npy dtype '" + descr + "' (kc reads <f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1 |b1)");
        }

        static Element of(DType t) {
            return switch (t) {
                case F64 -> F8; case F32 -> F4; case F16 -> F2; case I64 -> I8; case I32 -> I4; case BOOL -> B1;
                case BF16 -> throw new IllegalArgumentException("bfloat16 has no .npy dtype; convert to float32 first");
            };
        }

        double get(ByteBuffer b) {
            return switch (this) {
                case F8 -> b.getDouble();
                case F4 -> b.getFloat();
                case F2 -> Float.float16ToFloat(b.getShort());
                case I8 -> b.getLong();
                case I4 -> b.getInt();
                case I2 -> b.getShort();
                case I1 -> b.get();
                case U1 -> Byte.toUnsignedInt(b.get());
                case B1 -> b.get() != 0 ? 1 : 0;
            };
        }

        void put(ByteBuffer b, double v) {
            switch (this) {
                case F8 -> b.putDouble(v);
                case F4 -> b.putFloat((float) v);
                case F2 -> b.putShort(Float.floatToFloat16((float) v));
                case I8 -> b.putLong((long) v);
                case I4 -> b.putInt((int) (long) v);
                case I2 -> b.putShort((short) (long) v);
                case I1, U1 -> b.put((byte) (long) v);
                case B1 -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
    }
}
