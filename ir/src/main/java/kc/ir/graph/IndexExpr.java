package kc.ir.graph;

/**
 * Integer index arithmetic over domain coordinates. Affine forms (Dim, Const, Add, Mul) cover matmul,
 * convolution, pooling, permutes and slices; FloorDiv and Mod cover reshape, unfold and roll; ExactDiv covers
 * transposed convolution's strided gather.
 * <p>
 * The records spell out equals and hashCode (the same values the generated ones give): kc runs on the C1 JIT
 * alone, where the generated methods are several times slower, and lowering compares the ops of 100k nodes.
 */
public sealed interface IndexExpr {
    /** Whether some Dim(d) in e has p(d). */
    static boolean anyDim(IndexExpr e, java.util.function.IntPredicate p) {
        return switch (e) {
            case Dim d -> p.test(d.d());
            case Const c -> false;
            case Add a -> anyDim(a.a(), p) || anyDim(a.b(), p);
            case Mul m -> anyDim(m.a(), p);
            case FloorDiv f -> anyDim(f.a(), p);
            case Mod m -> anyDim(m.a(), p);
            case ExactDiv q -> anyDim(q.a(), p);
        };
    }

    /** Domain coordinate d. */
    record Dim(int d) implements IndexExpr {
        /** The first coordinates, shared by {@link IndexExpr#dim}: immutable, and big graphs held 300k copies. */
        private static final Dim[] SHARED = new Dim[16];
        static { for (int i = 0; i < SHARED.length; i++) SHARED[i] = new Dim(i); }

        @Override public boolean equals(Object o) { return o instanceof Dim x && d == x.d; }
        @Override public int hashCode() { return Integer.hashCode(d); }
    }
    record Const(long value) implements IndexExpr {
        private static final Const ZERO = new Const(0);

        @Override public boolean equals(Object o) { return o instanceof Const x && value == x.value; }
        @Override public int hashCode() { return Long.hashCode(value); }
    }
    record Add(IndexExpr a, IndexExpr b) implements IndexExpr {
        @Override public boolean equals(Object o) { return o instanceof Add x && a.equals(x.a) && b.equals(x.b); }
        @Override public int hashCode() { return 31 * a.hashCode() + b.hashCode(); }
    }
    record Mul(IndexExpr a, long factor) implements IndexExpr {
        @Override public boolean equals(Object o) { return o instanceof Mul x && factor == x.factor && a.equals(x.a); }
        @Override public int hashCode() { return 31 * a.hashCode() + Long.hashCode(factor); }
    }
    /** Floor division by a positive constant. */
    record FloorDiv(IndexExpr a, long divisor) implements IndexExpr {
        @Override public boolean equals(Object o) { return o instanceof FloorDiv x && divisor == x.divisor && a.equals(x.a); }
        @Override public int hashCode() { return 31 * a.hashCode() + Long.hashCode(divisor); }
    }
    /** Non-negative remainder by a positive constant (Python's %). */
    record Mod(IndexExpr a, long divisor) implements IndexExpr {
        @Override public boolean equals(Object o) { return o instanceof Mod x && divisor == x.divisor && a.equals(x.a); }
        @Override public int hashCode() { return 31 * a.hashCode() + Long.hashCode(divisor); }
    }
    /** a / divisor when divisor divides a exactly; otherwise the read is out of range (yields the map's pad). */
    record ExactDiv(IndexExpr a, long divisor) implements IndexExpr {
        @Override public boolean equals(Object o) { return o instanceof ExactDiv x && divisor == x.divisor && a.equals(x.a); }
        @Override public int hashCode() { return 31 * a.hashCode() + Long.hashCode(divisor); }
    }

    static IndexExpr dim(int d) { return d >= 0 && d < Dim.SHARED.length ? Dim.SHARED[d] : new Dim(d); }
    static IndexExpr constant(long c) { return c == 0 ? Const.ZERO : new Const(c); }

    /** a + b, folding constants. */
    static IndexExpr add(IndexExpr a, IndexExpr b) {
        if (a instanceof Const ca && ca.value() == 0) return b;
        if (b instanceof Const cb && cb.value() == 0) return a;
        if (a instanceof Const ca && b instanceof Const cb) return new Const(ca.value() + cb.value());
        return new Add(a, b);
    }

    /** a * factor, folding constants. */
    static IndexExpr mul(IndexExpr a, long factor) {
        if (factor == 1) return a;
        if (factor == 0) return new Const(0);
        if (a instanceof Const ca) return new Const(ca.value() * factor);
        return new Mul(a, factor);
    }
}
