package kc.ir.graph;

import java.util.List;
import java.util.StringJoiner;

/**
 * Compact infix text of index and scalar expressions, shared by the printer and the verifier's messages.
 * Index expressions: {@code d2*2+d5-1}, {@code d0//4} (floor division), {@code d0%4} (Python modulo),
 * {@code d0/2} (exact division: reads where it does not divide yield the pad). Scalar bodies:
 * {@code exp(in0 - in1)}, where {@code inK} is operand K read through its map and {@code dK} a domain coordinate.
 */
public final class ExprText {
    private ExprText() {}

    // ---- index expressions -------------------------------------------------------------------------------

    public static String index(IndexExpr e) {
        StringBuilder sb = new StringBuilder();
        index(e, sb, 0);
        return sb.toString();
    }

    public static String map(IndexMap m) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (IndexExpr e : m.exprs()) j.add(index(e));
        return j + (m.pad() == null ? "" : " pad " + number(m.pad()));
    }

    /** Precedence: 0 = sum, 1 = product-like operand, 2 = atom. */
    private static void index(IndexExpr e, StringBuilder sb, int context) {
        switch (e) {
            case IndexExpr.Dim d -> sb.append('d').append(d.d());
            case IndexExpr.Const c -> {
                if (c.value() < 0 && context > 0) sb.append('(').append(c.value()).append(')');
                else sb.append(c.value());
            }
            case IndexExpr.Add a -> {
                if (context > 0) sb.append('(');
                index(a.a(), sb, 0);
                // a + (-c) reads better as a-c; a + x*(-f) as a-x*f
                if (a.b() instanceof IndexExpr.Const c && c.value() < 0) sb.append('-').append(-c.value());
                else if (a.b() instanceof IndexExpr.Mul m && m.factor() < 0) {
                    sb.append('-');
                    index(IndexExpr.mul(m.a(), -m.factor()), sb, 1);
                } else {
                    sb.append('+');
                    index(a.b(), sb, 0);
                }
                if (context > 0) sb.append(')');
            }
            case IndexExpr.Mul m -> binaryIndex(m.a(), "*", m.factor(), sb, context);
            case IndexExpr.FloorDiv f -> binaryIndex(f.a(), "//", f.divisor(), sb, context);
            case IndexExpr.Mod m -> binaryIndex(m.a(), "%", m.divisor(), sb, context);
            case IndexExpr.ExactDiv q -> binaryIndex(q.a(), "/", q.divisor(), sb, context);
        }
    }

    private static void binaryIndex(IndexExpr a, String op, long k, StringBuilder sb, int context) {
        if (context > 1) sb.append('(');
        index(a, sb, 1);
        sb.append(op);
        if (k < 0) sb.append('(').append(k).append(')'); else sb.append(k);
        if (context > 1) sb.append(')');
    }

    // ---- scalar expressions ------------------------------------------------------------------------------

    public static String scalar(ScalarExpr e) {
        StringBuilder sb = new StringBuilder();
        scalar(e, sb, TOP);
        return sb.toString();
    }

    /** Context of a whole expression or a function argument: nothing needs parentheses there. */
    private static final int TOP = -1;

    /** Binding strength of infix operators; higher binds tighter. Function-call forms are atoms. */
    private static int precedence(ScalarExpr.BinaryOp op) {
        return switch (op) {
            case OR -> 1;
            case AND -> 2;
            case EQ, NE, LT, LE, GT, GE -> 3;
            case ADD, SUB -> 4;
            case MUL, DIV, FLOORDIV, MOD -> 5;
            case POW -> 7;
            case MAX, MIN, ATAN2 -> 9;
        };
    }

    private static String symbol(ScalarExpr.BinaryOp op) {
        return switch (op) {
            case OR -> "||"; case AND -> "&&";
            case EQ -> "=="; case NE -> "!="; case LT -> "<"; case LE -> "<="; case GT -> ">"; case GE -> ">=";
            case ADD -> "+"; case SUB -> "-"; case MUL -> "*"; case DIV -> "/"; case FLOORDIV -> "//"; case MOD -> "%";
            case POW -> "**";
            case MAX -> "max"; case MIN -> "min"; case ATAN2 -> "atan2";
        };
    }

    private static void scalar(ScalarExpr e, StringBuilder sb, int context) {
        switch (e) {
            case ScalarExpr.Read r -> sb.append("in").append(r.operand());
            case ScalarExpr.Index i -> sb.append('d').append(i.dim());
            case ScalarExpr.Reduced r -> sb.append("acc");
            case ScalarExpr.Const c -> {
                String s = constant(c);
                boolean negative = s.startsWith("-");
                if (negative && context > 0) sb.append('(').append(s).append(')'); else sb.append(s);
            }
            case ScalarExpr.Unary u -> {
                switch (u.op()) {
                    case NEG -> { prefix("-", u.a(), sb, context); }
                    case NOT -> { prefix("!", u.a(), sb, context); }
                    default -> {
                        sb.append(u.op().name().toLowerCase()).append('(');
                        scalar(u.a(), sb, TOP);
                        sb.append(')');
                    }
                }
            }
            case ScalarExpr.Binary b -> {
                int p = precedence(b.op());
                if (p == 9) {
                    sb.append(symbol(b.op())).append('(');
                    scalar(b.a(), sb, TOP);
                    sb.append(", ");
                    scalar(b.b(), sb, TOP);
                    sb.append(')');
                    return;
                }
                boolean paren = p <= context;
                if (paren) sb.append('(');
                // left-associative: the left operand may share our level, the right one must bind tighter
                boolean rightAssoc = b.op() == ScalarExpr.BinaryOp.POW;
                scalar(b.a(), sb, rightAssoc ? p : p - 1);
                sb.append(' ').append(symbol(b.op())).append(' ');
                scalar(b.b(), sb, rightAssoc ? p - 1 : p);
                if (paren) sb.append(')');
            }
            case ScalarExpr.Select s -> {
                boolean paren = context > TOP;
                if (paren) sb.append('(');
                scalar(s.cond(), sb, 0);
                sb.append(" ? ");
                scalar(s.a(), sb, 0);
                sb.append(" : ");
                scalar(s.b(), sb, TOP);
                if (paren) sb.append(')');
            }
            case ScalarExpr.Cast c -> {
                sb.append(c.to().name().toLowerCase()).append('(');
                scalar(c.a(), sb, TOP);
                sb.append(')');
            }
        }
    }

    private static void prefix(String op, ScalarExpr a, StringBuilder sb, int context) {
        boolean paren = context >= 6;
        if (paren) sb.append('(');
        sb.append(op);
        scalar(a, sb, 6);
        if (paren) sb.append(')');
    }

    /** A literal: floats as Java prints doubles, integers without a fraction, bools as true/false; non-default dtypes get a suffix. */
    public static String constant(ScalarExpr.Const c) {
        return switch (c.dtype()) {
            case BOOL -> c.value() != 0 ? "true" : "false";
            case I64 -> Long.toString((long) c.value());
            case I32 -> (long) c.value() + ":i32";
            case F32 -> number(c.value());
            case F64, F16, BF16 -> number(c.value()) + ":" + c.dtype().name().toLowerCase();
        };
    }

    /** A double as text: inf, -inf, nan, or Java's shortest round-trip form. */
    public static String number(double v) {
        if (Double.isNaN(v)) return "nan";
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        return Double.toString(v);
    }

    /** "conv2d#1 conv @ file.py:12:13": the composite and its instance, the module path, the source position. */
    public static String origin(Origin o) {
        if (o == null) return "";
        StringBuilder sb = new StringBuilder();
        if (!o.composite().isEmpty()) sb.append(o.composite()).append('#').append(o.instance());
        if (!o.module().isEmpty()) sb.append(sb.isEmpty() ? "" : " ").append(o.module());
        if (o.pos() != null && !o.pos().equals(SourcePos.UNKNOWN)) sb.append(sb.isEmpty() ? "@ " : " @ ").append(o.pos());
        return sb.toString();
    }

    /** "%7 generic.sum (conv2d#1 conv @ file.py:12:13)": how errors name a node. */
    public static String nodeName(Node n) {
        String o = origin(n.origin());
        return "%" + n.result().id() + " " + n.op().name() + (o.isEmpty() ? "" : " (" + o + ")");
    }

    static String values(List<Value> vs) {
        StringJoiner j = new StringJoiner(", ");
        for (Value v : vs) j.add("%" + v.id());
        return j.toString();
    }
}
