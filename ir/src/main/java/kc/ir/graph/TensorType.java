package kc.ir.graph;

import java.util.Objects;

/** Static type of a Graph IR value: element type and shape. */
public record TensorType(DType dtype, Shape shape) {
    public static TensorType of(DType dtype, long... dims) { return new TensorType(dtype, Shape.of(dims)); }
    public int rank() { return shape.rank(); }
    // Spelled out for speed under the C1 JIT (see IndexExpr); the same values as the generated methods.
    @Override public boolean equals(Object o) { return o instanceof TensorType t && dtype == t.dtype && shape.equals(t.shape); }
    @Override public int hashCode() { return 31 * Objects.hashCode(dtype) + shape.hashCode(); }
    @Override public String toString() { return dtype.name().toLowerCase() + shape; }
}
