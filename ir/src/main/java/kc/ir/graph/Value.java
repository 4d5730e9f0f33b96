package kc.ir.graph;

/**
 * An SSA tensor value: a graph input, a parameter (weights and buffers, named by their state_dict key),
 * or the result of exactly one node. Identity is the id, unique within a graph.
 */
public record Value(int id, TensorType type, String name) {
    /** The id alone: hashing the type's shape made the graph maps of big graphs (100k nodes) slow. */
    @Override public int hashCode() { return Integer.hashCode(id); }

    @Override public String toString() { return "%" + id + (name == null || name.isEmpty() ? "" : "[" + name + "]"); }
}
