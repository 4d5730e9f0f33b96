package kc.ir.tile;

import java.util.List;
import java.util.stream.Collectors;

/** A readable text form of Tile IR kernels and launch plans, for humans, tests and error messages. */
public final class TilePrinter {
    private TilePrinter() {}

    public static String print(Kernel k) {
        StringBuilder sb = new StringBuilder();
        Launch l = k.launch();
        sb.append("kernel ").append(k.name()).append(" grid(").append(l.gridX()).append(", ").append(l.gridY()).append(", ").append(l.gridZ())
          .append(") block(").append(l.blockX()).append(", ").append(l.blockY()).append(", ").append(l.blockZ()).append(")\n");
        for (BufferParam p : k.params())
            sb.append("  param ").append(p.name()).append(": ").append(p.elem().name().toLowerCase()).append('[').append(p.numel()).append("] ")
              .append(p.access().name().toLowerCase()).append('\n');
        for (SharedArray s : k.shared())
            sb.append("  shared ").append(s.name()).append(": ").append(s.elem().name().toLowerCase()).append('[').append(s.length()).append("]\n");
        stmts(sb, k.body(), 1);
        return sb.toString();
    }

    public static String print(LaunchPlan plan) {
        StringBuilder sb = new StringBuilder("plan ").append(plan.model()).append('\n');
        for (LaunchPlan.Buffer b : plan.buffers()) {
            sb.append("  buffer ").append(b.name()).append(' ').append(b.role().name().toLowerCase());
            if (b.role() == LaunchPlan.Role.INPUT || b.role() == LaunchPlan.Role.OUTPUT) sb.append(' ').append(b.index());
            if (b.key() != null) sb.append(" '").append(b.key()).append('\'');
            sb.append(' ').append(b.dtype().name().toLowerCase()).append(b.shape());
            if (b.values() != null) sb.append(" (").append(b.values().size()).append(" values)");
            sb.append('\n');
        }
        for (LaunchPlan.KernelLaunch kl : plan.launches()) {
            Launch l = kl.launch();
            sb.append("  launch ").append(kl.kernel()).append(" grid(").append(l.gridX()).append(", ").append(l.gridY()).append(", ").append(l.gridZ())
              .append(") block(").append(l.blockX()).append(", ").append(l.blockY()).append(", ").append(l.blockZ()).append(") shared ")
              .append(kl.sharedBytes()).append(" (").append(String.join(", ", kl.args())).append(")\n");
        }
        return sb.toString();
    }

    private static void indent(StringBuilder sb, int depth) { sb.append("  ".repeat(depth)); }

    private static void stmts(StringBuilder sb, List<TStmt> body, int depth) {
        for (TStmt s : body) stmt(sb, s, depth);
    }

    private static void stmt(StringBuilder sb, TStmt s, int depth) {
        indent(sb, depth);
        switch (s) {
            case TStmt.Let l -> sb.append("let ").append(l.var().name()).append(": ").append(l.var().type()).append(" = ").append(expr(l.value())).append('\n');
            case TStmt.Declare d -> sb.append("var ").append(d.var().name()).append(": ").append(d.var().type()).append(" = ").append(expr(d.init())).append('\n');
            case TStmt.Assign a -> sb.append(a.var().name()).append(" = ").append(expr(a.value())).append('\n');
            case TStmt.DeclareLocal d -> sb.append("local ").append(d.array().name()).append(": ").append(d.array().elem().name().toLowerCase())
                    .append('[').append(d.array().length()).append("]\n");
            case TStmt.LocalStore ls -> sb.append(ls.array()).append('[').append(expr(ls.index())).append("] = ").append(expr(ls.value())).append('\n');
            case TStmt.Store st -> {
                if (st.mask() != null) sb.append("if ").append(expr(st.mask())).append(": ");
                sb.append(space(st.space())).append(st.buffer()).append('[').append(expr(st.index())).append("] = ").append(expr(st.value())).append('\n');
            }
            case TStmt.For f -> {
                sb.append("for ").append(f.index().name()).append(" in ").append(expr(f.start())).append(" .. ").append(expr(f.end()));
                if (f.step() != 1) sb.append(" step ").append(f.step());
                if (f.unroll()) sb.append(" unroll");
                sb.append(" {\n");
                stmts(sb, f.body(), depth + 1);
                indent(sb, depth);
                sb.append("}\n");
            }
            case TStmt.If i -> {
                sb.append("if ").append(expr(i.cond())).append(" {\n");
                stmts(sb, i.then(), depth + 1);
                indent(sb, depth);
                if (!i.otherwise().isEmpty()) {
                    sb.append("} else {\n");
                    stmts(sb, i.otherwise(), depth + 1);
                    indent(sb, depth);
                }
                sb.append("}\n");
            }
            case TStmt.Barrier b -> sb.append("barrier\n");
            case TStmt.CopyAsync c -> sb.append("copy_async shared ").append(c.array()).append('[').append(expr(c.to())).append("] = ")
                    .append(c.buffer()).append('[').append(expr(c.from())).append(']')
                    .append(c.valid() == null ? "" : " if " + expr(c.valid())).append('\n');
            case TStmt.AsyncCommit c -> sb.append("async_commit\n");
            case TStmt.AsyncWait w -> sb.append("async_wait ").append(w.pending()).append('\n');
            case TStmt.Comment c -> sb.append("// ").append(c.text()).append('\n');
            case TStmt.Mma m -> sb.append("mma.").append(m.shape().name().toLowerCase()).append(" {")
                    .append(m.d().stream().map(Var::name).collect(Collectors.joining(", "))).append("} = {")
                    .append(list(m.a())).append("} * {").append(list(m.b())).append("} + {").append(list(m.c())).append("}\n");
        }
    }

    private static String space(Space s) { return s == Space.SHARED ? "shared " : ""; }

    private static String list(List<TExpr> es) { return es.stream().map(TilePrinter::expr).collect(Collectors.joining(", ")); }

    /** One expression, fully parenthesised where nesting could be ambiguous. */
    public static String expr(TExpr e) {
        return switch (e) {
            case TExpr.Const c -> constant(c);
            case TExpr.Ref r -> r.var().name();
            case TExpr.Special s -> s.reg().name().toLowerCase();
            case TExpr.Unary u -> u.op().name().toLowerCase() + "(" + expr(u.a()) + ")";
            case TExpr.Binary b -> switch (b.op()) {
                case MIN, MAX, POW, ATAN2, PACK_BF16X2 -> b.op().name().toLowerCase() + "(" + expr(b.a()) + ", " + expr(b.b()) + ")";
                default -> "(" + expr(b.a()) + " " + symbol(b.op()) + " " + expr(b.b()) + ")";
            };
            case TExpr.Select s -> "(" + expr(s.cond()) + " ? " + expr(s.a()) + " : " + expr(s.b()) + ")";
            case TExpr.Fma f -> "fma(" + expr(f.a()) + ", " + expr(f.b()) + ", " + expr(f.c()) + ")";
            case TExpr.Cast c -> c.type() + "(" + expr(c.a()) + ")";
            case TExpr.Load l -> "load." + l.type() + " " + space(l.space()) + l.buffer() + "[" + expr(l.index()) + "]"
                    + (l.mask() == null ? "" : " if " + expr(l.mask()) + " else " + num(l.other()));
            case TExpr.LocalLoad l -> l.array() + "[" + expr(l.index()) + "]";
            case TExpr.Lane l -> expr(l.vector()) + "." + "xyzw".charAt(l.lane());
            case TExpr.Pack p -> p.type() + "(" + list(p.lanes()) + ")";
            case TExpr.Shuffle s -> "shuffle." + s.kind().name().toLowerCase() + "(" + expr(s.value()) + ", " + expr(s.laneOrDelta()) + ")";
            case TExpr.WarpReduce w -> "warp_" + w.op().name().toLowerCase() + "(" + expr(w.value()) + ")";
        };
    }

    private static String constant(TExpr.Const c) {
        if (c.type().elem() == ScalarType.BOOL) return c.value() != 0 ? "true" : "false";
        String v = num(c.value());
        return c.type().equals(TType.I32) ? v : v + ":" + c.type();
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    private static String symbol(TExpr.BinOp op) {
        return switch (op) {
            case ADD -> "+"; case SUB -> "-"; case MUL -> "*"; case DIV -> "/"; case REM -> "%";
            case EQ -> "=="; case NE -> "!="; case LT -> "<"; case LE -> "<="; case GT -> ">"; case GE -> ">=";
            case AND -> "&"; case OR -> "|"; case XOR -> "^"; case SHL -> "<<"; case SHR -> ">>";
            case MIN, MAX, POW, ATAN2, PACK_BF16X2 -> op.name().toLowerCase();
        };
    }
}
