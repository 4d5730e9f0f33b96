package kc.ir.graph;

/**
 * An SSA tensor value: a graph input, a parameter (weights and buffers, named by their state_dict key),
 * or the result of exactly one node. Identity is the id, unique within a graph.
 */
public record Value(int id, TensorType type, String name) {
    /** The id alone: hashing the type's shape made the graph maps of big graphs (100k nodes) slow. */
    @Override public int hashCode() { return Integer.hashCode(id); }

    /** Spelled out (the same test as the generated one, the same instance first): faster under the C1 JIT. */
    @Override public boolean equals(Object o) {
        return this == o || o instanceof Value v && id == v.id && java.util.Objects.equals(type, v.type) && java.util.Objects.equals(name, v.name);
    }

    @Override public String toString() { return "%" + id + (name == null || name.isEmpty() ? "" : "[" + name + "]"); }
}
