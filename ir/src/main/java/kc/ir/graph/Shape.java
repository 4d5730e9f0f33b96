package kc.ir.graph;

import java.util.Arrays;
import java.util.stream.Collectors;

/** An immutable static tensor shape (row-major). Rank 0 is a scalar. */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) { this.dims = dims; }

    public static Shape of(long... dims) {
        for (long d : dims) if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        return new Shape(dims.clone());
    }

    public static Shape of(java.util.List<Long> dims) {
        long[] a = new long[dims.size()]; // a loop, not a stream: the frontend makes a shape for each of 100k nodes
        for (int i = 0; i < a.length; i++) a[i] = dims.get(i);
        for (long d : a) if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(a));
        return new Shape(a);
    }

    public static final Shape SCALAR = new Shape(new long[0]);

    public int rank() { return dims.length; }
    public long dim(int i) { return dims[i]; }
    public long[] toArray() { return dims.clone(); }

    public long numel() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
        return s;
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }
    @Override public String toString() {
        return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
