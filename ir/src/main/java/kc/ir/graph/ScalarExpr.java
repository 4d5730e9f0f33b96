package kc.ir.graph;

/**
 * The scalar body of a {@link Op.Generic}: evaluated at one domain point. Reads operands through their
 * index maps; may use the domain coordinates themselves (arange, tril, masks, argmax bookkeeping).
 */
public sealed interface ScalarExpr {
    /** The value of operand k at this domain point (through its index map). */
    record Read(int operand) implements ScalarExpr {}
    /** Domain coordinate d as an integer. */
    record Index(int dim) implements ScalarExpr {}
    record Const(double value, DType dtype) implements ScalarExpr {}
    record Unary(UnaryOp op, ScalarExpr a) implements ScalarExpr {}
    record Binary(BinaryOp op, ScalarExpr a, ScalarExpr b) implements ScalarExpr {}
    /** cond ? a : b */
    record Select(ScalarExpr cond, ScalarExpr a, ScalarExpr b) implements ScalarExpr {}
    /** Conversion with PyTorch's rules (float to int truncates toward zero; nonzero to bool is true). */
    record Cast(DType to, ScalarExpr a) implements ScalarExpr {}

    enum UnaryOp { NEG, ABS, EXP, LOG, SQRT, RSQRT, RECIP, TANH, SIGMOID, ERF, SIN, COS, FLOOR, CEIL, ROUND, SIGN, NOT, LOG1P, EXPM1 }

    /** Arithmetic follows PyTorch: DIV is true division, FLOORDIV and MOD floor (Python semantics). */
    enum BinaryOp { ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR, ATAN2 }

    static ScalarExpr read(int k) { return new Read(k); }
    static ScalarExpr f32(double v) { return new Const(v, DType.F32); }
    static ScalarExpr unary(UnaryOp op, ScalarExpr a) { return new Unary(op, a); }
    static ScalarExpr binary(BinaryOp op, ScalarExpr a, ScalarExpr b) { return new Binary(op, a, b); }
}
