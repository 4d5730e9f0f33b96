package kc.frontend.torch;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/**
 * A Python-visible tensor during tracing: a mutable box around an SSA {@link Value}, so that in-place ops
 * (x += y, relu(inplace=True), x[:, 0] = y) rebind the box to the new value. Identity is object identity.
 */
public final class Tensor implements TensorLike {
    private Value value;
    /** True for nn.Parameter objects (they are registered as parameters when assigned to a module). */
    private final boolean parameter;

    public Tensor(Value value) { this(value, false); }

    public Tensor(Value value, boolean parameter) {
        this.value = value;
        this.parameter = parameter;
    }

    public Value value() { return value; }
    public void rebind(Value newValue) { this.value = newValue; }
    public boolean isParameter() { return parameter; }
    public TensorType type() { return value.type(); }
    @Override public Shape shape() { return value.type().shape(); }
    public DType dtype() { return value.type().dtype(); }
    @Override public int rank() { return value.type().rank(); }

    @Override public String toString() { return "tensor(" + value.type() + ")"; }
}
