package kc.ir.tile;

/** A per-thread register value. Names are unique within a kernel (the verifier checks). */
public record Var(String name, TType type) {
    @Override public String toString() { return name; }
}
