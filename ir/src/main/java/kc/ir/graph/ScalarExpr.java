package kc.ir.graph;

import java.util.Objects;

/**
 * The scalar body of a {@link Op.Generic}: evaluated at one domain point. Reads operands through their
 * index maps; may use the domain coordinates themselves (arange, tril, masks, argmax bookkeeping).
 * <p>
 * The records spell out equals and hashCode (the same values the generated ones give): kc runs on the C1 JIT
 * alone, where the generated methods are several times slower, and lowering compares the ops of 100k nodes.
 */
public sealed interface ScalarExpr {
    /** The value of operand k at this domain point (through its index map). */
    record Read(int operand) implements ScalarExpr {
        /** The first operands' reads, shared by {@link ScalarExpr#read}: immutable, and big graphs held 200k copies. */
        private static final Read[] SHARED = new Read[16];
        static { for (int i = 0; i < SHARED.length; i++) SHARED[i] = new Read(i); }

        @Override public boolean equals(Object o) { return o instanceof Read x && operand == x.operand; }
        @Override public int hashCode() { return Integer.hashCode(operand); }
    }
    /** Domain coordinate d as an integer. */
    record Index(int dim) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Index x && dim == x.dim; }
        @Override public int hashCode() { return Integer.hashCode(dim); }
    }
    record Const(double value, DType dtype) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Const x && Double.compare(value, x.value) == 0 && dtype == x.dtype; }
        @Override public int hashCode() { return 31 * Double.hashCode(value) + Objects.hashCode(dtype); }
    }
    record Unary(UnaryOp op, ScalarExpr a) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Unary x && op == x.op && a.equals(x.a); }
        @Override public int hashCode() { return 31 * Objects.hashCode(op) + a.hashCode(); }
    }
    record Binary(BinaryOp op, ScalarExpr a, ScalarExpr b) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Binary x && op == x.op && a.equals(x.a) && b.equals(x.b); }
        @Override public int hashCode() { return (31 * Objects.hashCode(op) + a.hashCode()) * 31 + b.hashCode(); }
    }
    /** cond ? a : b */
    record Select(ScalarExpr cond, ScalarExpr a, ScalarExpr b) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Select x && cond.equals(x.cond) && a.equals(x.a) && b.equals(x.b); }
        @Override public int hashCode() { return (31 * cond.hashCode() + a.hashCode()) * 31 + b.hashCode(); }
    }
    /** In a Generic's epilogue: the value its reduction combined, of type {@code dtype}. */
    record Reduced(DType dtype) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Reduced x && dtype == x.dtype; }
        @Override public int hashCode() { return 7 + Objects.hashCode(dtype); }
    }
    /** Conversion with PyTorch's rules (float to int truncates toward zero; nonzero to bool is true). */
    record Cast(DType to, ScalarExpr a) implements ScalarExpr {
        @Override public boolean equals(Object o) { return o instanceof Cast x && to == x.to && a.equals(x.a); }
        @Override public int hashCode() { return 31 * Objects.hashCode(to) + a.hashCode(); }
    }

    enum UnaryOp { NEG, ABS, EXP, LOG, SQRT, RSQRT, RECIP, TANH, SIGMOID, ERF, SIN, COS, FLOOR, CEIL, ROUND, SIGN, NOT, LOG1P, EXPM1 }

    /** Arithmetic follows PyTorch: DIV is true division, FLOORDIV and MOD floor (Python semantics). */
    enum BinaryOp { ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR, ATAN2 }

    static ScalarExpr read(int k) { return k >= 0 && k < Read.SHARED.length ? Read.SHARED[k] : new Read(k); }
    static ScalarExpr f32(double v) { return new Const(v, DType.F32); }
    static ScalarExpr unary(UnaryOp op, ScalarExpr a) { return new Unary(op, a); }
    static ScalarExpr binary(BinaryOp op, ScalarExpr a, ScalarExpr b) { return new Binary(op, a, b); }
}
