package kc.ir.interp;

import java.util.Arrays;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/**
 * An immutable tensor value on the host: a static type and its elements in row-major order, held as doubles
 * whatever the dtype (the reference interpreter computes in float64). Elements of integer dtypes are exact
 * integers and bool elements are 0 or 1; the factories enforce this.
 */
public final class HostTensor {
    private final TensorType type;
    private final double[] data;

    /** Takes ownership of data without copying or normalising; for the interpreter's own results. */
    HostTensor(TensorType type, double[] data) {
        if (data.length != type.shape().numel())
            throw new IllegalArgumentException(type + " needs " + type.shape().numel() + " elements, got " + data.length);
        this.type = type;
        this.data = data;
    }

    /** A tensor of the given type holding a copy of data, normalised to the dtype (integers truncate, bool is 0/1). */
    public static HostTensor of(TensorType type, double[] data) {
        double[] copy = data.clone();
        normalise(type.dtype(), copy);
        return new HostTensor(type, copy);
    }

    public static HostTensor of(DType dtype, Shape shape, double[] data) { return of(new TensorType(dtype, shape), data); }

    /** An F64 tensor. */
    public static HostTensor ofDoubles(Shape shape, double... data) { return of(DType.F64, shape, data); }

    /** An F32 tensor. */
    public static HostTensor ofFloats(Shape shape, float... data) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i];
        return new HostTensor(new TensorType(DType.F32, shape), d);
    }

    /** An I64 tensor. */
    public static HostTensor ofLongs(Shape shape, long... data) { return ofLongs(DType.I64, shape, data); }

    /** An integer (or bool) tensor of the given dtype. */
    public static HostTensor ofLongs(DType dtype, Shape shape, long... data) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i];
        normalise(dtype, d);
        return new HostTensor(new TensorType(dtype, shape), d);
    }

    /** A BOOL tensor. */
    public static HostTensor ofBooleans(Shape shape, boolean... data) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i] ? 1 : 0;
        return new HostTensor(new TensorType(DType.BOOL, shape), d);
    }

    public static HostTensor zeros(TensorType type) {
        return new HostTensor(type, new double[Math.toIntExact(type.shape().numel())]);
    }

    /** A rank-0 tensor. */
    public static HostTensor scalar(DType dtype, double value) { return of(new TensorType(dtype, Shape.SCALAR), new double[] {value}); }

    /** Fills the tensor with a function of its flat (row-major) index; handy in tests. */
    public static HostTensor generate(TensorType type, java.util.function.LongToDoubleFunction f) {
        double[] d = new double[Math.toIntExact(type.shape().numel())];
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(i);
        normalise(type.dtype(), d);
        return new HostTensor(type, d);
    }

    /** The same elements under another type of equal element count (reinterpreted, not converted). */
    public HostTensor withType(TensorType newType) { return of(newType, data); }

    /**
     * The same values converted to another dtype with PyTorch's cast rules as the interpreter applies them:
     * to an integer dtype truncates toward zero, to bool is nonzero-ness, to a float dtype keeps the value.
     */
    public HostTensor to(DType dtype) {
        if (dtype == type.dtype()) return this;
        double[] d = data.clone();
        normalise(dtype, d);
        return new HostTensor(new TensorType(dtype, type.shape()), d);
    }

    public TensorType type() { return type; }
    public Shape shape() { return type.shape(); }
    public DType dtype() { return type.dtype(); }
    public int numel() { return data.length; }

    /** A copy of the elements, row-major. */
    public double[] data() { return data.clone(); }

    /** The elements without copying; callers must not modify the array. */
    double[] raw() { return data; }

    /** Element at a flat row-major index. */
    public double getFlat(int i) { return data[i]; }

    /** Element at a multi-index (one coordinate per dim). */
    public double get(long... index) {
        if (index.length != shape().rank()) throw new IllegalArgumentException("rank " + shape().rank() + " tensor indexed with " + index.length + " coordinates");
        long flat = 0;
        for (int i = 0; i < index.length; i++) {
            long n = shape().dim(i);
            if (index[i] < 0 || index[i] >= n) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + shape());
            flat = flat * n + index[i];
        }
        return data[(int) flat];
    }

    public float[] toFloatArray() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return f;
    }

    public long[] toLongArray() {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = (long) data[i];
        return l;
    }

    /** Truncates toward zero for integer dtypes and maps nonzero to 1 for bool, in place. */
    static void normalise(DType dtype, double[] d) {
        switch (dtype) {
            case BOOL -> { for (int i = 0; i < d.length; i++) d[i] = d[i] != 0 ? 1 : 0; }
            case I64, I32 -> { for (int i = 0; i < d.length; i++) d[i] = (double) (long) d[i]; }
            case F64 -> { }
            case F32, F16, BF16 -> { for (int i = 0; i < d.length; i++) d[i] = roundTo(dtype, d[i]); }
        }
    }

    /** v rounded to the nearest value of a floating dtype (PyTorch stores every tensor at its dtype's precision). */
    static double roundTo(DType dtype, double v) {
        return switch (dtype) {
            case F32 -> (float) v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case BF16 -> {
                float f = (float) v;
                if (Float.isNaN(f)) yield f;
                int bits = Float.floatToRawIntBits(f);
                bits += 0x7FFF + ((bits >>> 16) & 1); // round to nearest even on the upper 16 bits
                yield Float.intBitsToFloat(bits & 0xFFFF0000);
            }
            default -> v;
        };
    }

    /** Equal types and bitwise-equal elements (NaN equals NaN). */
    @Override public boolean equals(Object o) {
        return o instanceof HostTensor t && type.equals(t.type) && Arrays.equals(data, t.data);
    }

    @Override public int hashCode() { return type.hashCode() * 31 + Arrays.hashCode(data); }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(type.toString()).append(" [");
        int n = Math.min(data.length, 16);
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(data[i]);
        if (data.length > n) sb.append(", ... (").append(data.length).append(" elements)");
        return sb.append(']').toString();
    }
}
