package kc.frontend.ast;

import java.util.List;

/** Python expressions kc understands. Every node carries the position of its first token. */
public sealed interface Expr {
    Pos pos();

    record Name(Pos pos, String id) implements Expr {}
    /**
     * A literal: value is a Long (Python int, when it fits), java.math.BigInteger (when it does not), Double,
     * String (bytes literals too), Boolean, or {@link #NONE} / {@link #ELLIPSIS}.
     */
    record Constant(Pos pos, Object value) implements Expr {}
    record BinOp(Pos pos, Expr left, BinOpKind op, Expr right) implements Expr {}
    record UnaryOp(Pos pos, UnaryOpKind op, Expr operand) implements Expr {}
    /** {@code a and b and c} / {@code a or b}. */
    record BoolOp(Pos pos, boolean isAnd, List<Expr> values) implements Expr {}
    /** Chained comparison {@code a < b <= c}: ops.size() == comparators.size(). */
    record Compare(Pos pos, Expr left, List<CmpOp> ops, List<Expr> comparators) implements Expr {}
    /** args may contain {@link Starred} for {@code *xs}; a Keyword with null name is {@code **kw}. */
    record Call(Pos pos, Expr func, List<Expr> args, List<Keyword> keywords) implements Expr {}
    record Attribute(Pos pos, Expr value, String attr) implements Expr {}
    /** {@code value[index]}; a multi-dimensional index is a Tuple of Slice/Expr elements. */
    record Subscript(Pos pos, Expr value, Expr index) implements Expr {}
    /** {@code lower:upper:step}, each part may be null. Only appears inside a Subscript index. */
    record Slice(Pos pos, Expr lower, Expr upper, Expr step) implements Expr {}
    record Tuple(Pos pos, List<Expr> elements) implements Expr {}
    record ListExpr(Pos pos, List<Expr> elements) implements Expr {}
    record SetExpr(Pos pos, List<Expr> elements) implements Expr {}
    /** keys.get(i) == null means {@code **values.get(i)}. */
    record Dict(Pos pos, List<Expr> keys, List<Expr> values) implements Expr {}
    /** List/set/generator comprehension; kind says which. */
    record Comprehension(Pos pos, ComprehensionKind kind, Expr element, List<ForClause> clauses) implements Expr {}
    record DictComprehension(Pos pos, Expr key, Expr value, List<ForClause> clauses) implements Expr {}
    record Lambda(Pos pos, List<Stmt.Param> params, Expr body) implements Expr {}
    /** {@code body if test else orElse}. */
    record IfExp(Pos pos, Expr test, Expr body, Expr orElse) implements Expr {}
    record Starred(Pos pos, Expr value) implements Expr {}
    /** {@code (name := value)}. */
    record NamedExpr(Pos pos, String name, Expr value) implements Expr {}
    /** An f-string: parts are string Constants and FormattedValues, in order. */
    record JoinedStr(Pos pos, List<Expr> parts) implements Expr {}
    /** {@code {value!conversion:format}} inside an f-string; conversion is 0 or 's'/'r'/'a', format may be null. */
    record FormattedValue(Pos pos, Expr value, char conversion, Expr formatSpec) implements Expr {}
    record Yield(Pos pos, Expr value) implements Expr {}

    record Keyword(Pos pos, String name, Expr value) {}
    /** {@code for target in iter if cond...} inside a comprehension. */
    record ForClause(Expr target, Expr iter, List<Expr> conditions) {}

    enum ComprehensionKind { LIST, SET, GENERATOR }
    enum BinOpKind { ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MATMUL, LSHIFT, RSHIFT, BITAND, BITOR, BITXOR }
    enum UnaryOpKind { NEG, POS, NOT, INVERT }
    enum CmpOp { EQ, NE, LT, LE, GT, GE, IN, NOT_IN, IS, IS_NOT }

    /** Sentinels for the None and Ellipsis literals. */
    enum Singleton { NONE, ELLIPSIS }
    Singleton NONE = Singleton.NONE;
    Singleton ELLIPSIS = Singleton.ELLIPSIS;
}
