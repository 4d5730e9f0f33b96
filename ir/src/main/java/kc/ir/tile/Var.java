package kc.ir.tile;

/** A per-thread register value. Names are unique within a kernel (the verifier checks). */
public record Var(String name, TType type) {
    // Spelled out: the generated record methods are slow under the C1 JIT kc runs with.
    @Override public boolean equals(Object o) { return o instanceof Var v && name.equals(v.name) && type.equals(v.type); }
    @Override public int hashCode() { return name.hashCode() * 31 + type.hashCode(); }
    @Override public String toString() { return name; }
}
