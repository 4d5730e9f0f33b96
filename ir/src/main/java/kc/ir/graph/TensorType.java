package kc.ir.graph;

/** Static type of a Graph IR value: element type and shape. */
public record TensorType(DType dtype, Shape shape) {
    public static TensorType of(DType dtype, long... dims) { return new TensorType(dtype, Shape.of(dims)); }
    public int rank() { return shape.rank(); }
    @Override public String toString() { return dtype.name().toLowerCase() + shape; }
}
