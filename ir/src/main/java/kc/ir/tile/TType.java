package kc.ir.tile;

/** A register type: a scalar (lanes 1) or a short vector of 2 or 4 lanes (for ld.v2/ld.v4, float4, simd types). */
public record TType(ScalarType elem, int lanes) {
    public TType {
        if (lanes != 1 && lanes != 2 && lanes != 4) throw new IllegalArgumentException("vector lanes must be 1, 2 or 4: " + lanes);
    }
    public static TType of(ScalarType elem) { return new TType(elem, 1); }
    public static final TType F32 = of(ScalarType.F32);
    public static final TType I32 = of(ScalarType.I32);
    public static final TType I64 = of(ScalarType.I64);
    public static final TType BOOL = of(ScalarType.BOOL);
    public boolean isVector() { return lanes > 1; }
    // Spelled out: the generated record methods are slow under the C1 JIT kc runs with, and types are compared everywhere.
    @Override public boolean equals(Object o) { return o instanceof TType t && elem == t.elem && lanes == t.lanes; }
    @Override public int hashCode() { return elem.ordinal() * 8 + lanes; }
    @Override public String toString() { return elem.name().toLowerCase() + (lanes > 1 ? "x" + lanes : ""); }
}
