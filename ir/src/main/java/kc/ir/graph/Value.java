package kc.ir.graph;

/**
 * An SSA tensor value: a graph input, a parameter (weights and buffers, named by their state_dict key),
 * or the result of exactly one node. Identity is the id, unique within a graph.
 */
public record Value(int id, TensorType type, String name) {
    @Override public String toString() { return "%" + id + (name == null || name.isEmpty() ? "" : "[" + name + "]"); }
}
