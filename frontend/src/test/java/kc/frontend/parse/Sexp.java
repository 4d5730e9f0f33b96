package kc.frontend.parse;

import java.util.List;
import java.util.stream.Collectors;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Stmt;

/** A compact, position-free rendering of AST nodes, so tests can state tree shapes in one line. */
final class Sexp {
    private Sexp() {}

    static String of(Expr e) {
        if (e == null) return "_";
        return switch (e) {
            case Expr.Name n -> n.id();
            case Expr.Constant c -> constant(c.value());
            case Expr.BinOp b -> "(" + b.op().name().toLowerCase() + " " + of(b.left()) + " " + of(b.right()) + ")";
            case Expr.UnaryOp u -> "(" + u.op().name().toLowerCase() + " " + of(u.operand()) + ")";
            case Expr.BoolOp b -> "(" + (b.isAnd() ? "and" : "or") + " " + all(b.values()) + ")";
            case Expr.Compare c -> {
                StringBuilder s = new StringBuilder("(cmp ").append(of(c.left()));
                for (int i = 0; i < c.ops().size(); i++) {
                    s.append(' ').append(c.ops().get(i).name().toLowerCase()).append(' ').append(of(c.comparators().get(i)));
                }
                yield s.append(')').toString();
            }
            case Expr.Call c -> "(call " + of(c.func()) + (c.args().isEmpty() ? "" : " " + all(c.args()))
                    + c.keywords().stream().map(k -> " " + (k.name() == null ? "**" : k.name() + "=") + of(k.value()))
                            .collect(Collectors.joining()) + ")";
            case Expr.Attribute a -> "(. " + of(a.value()) + " " + a.attr() + ")";
            case Expr.Subscript s -> "(sub " + of(s.value()) + " " + of(s.index()) + ")";
            case Expr.Slice s -> "(slice " + of(s.lower()) + " " + of(s.upper()) + " " + of(s.step()) + ")";
            case Expr.Tuple t -> "(tuple" + (t.elements().isEmpty() ? "" : " " + all(t.elements())) + ")";
            case Expr.ListExpr l -> "(list" + (l.elements().isEmpty() ? "" : " " + all(l.elements())) + ")";
            case Expr.SetExpr s -> "(set " + all(s.elements()) + ")";
            case Expr.Dict d -> {
                StringBuilder s = new StringBuilder("(dict");
                for (int i = 0; i < d.keys().size(); i++) {
                    s.append(' ').append(d.keys().get(i) == null ? "**" : of(d.keys().get(i)) + ":").append(of(d.values().get(i)));
                }
                yield s.append(')').toString();
            }
            case Expr.Comprehension c -> "(" + c.kind().name().toLowerCase() + "comp " + of(c.element()) + clauses(c.clauses()) + ")";
            case Expr.DictComprehension d -> "(dictcomp " + of(d.key()) + ":" + of(d.value()) + clauses(d.clauses()) + ")";
            case Expr.Lambda l -> "(lambda (" + params(l.params()) + ") " + of(l.body()) + ")";
            case Expr.IfExp i -> "(if " + of(i.test()) + " " + of(i.body()) + " " + of(i.orElse()) + ")";
            case Expr.Starred s -> "*" + of(s.value());
            case Expr.NamedExpr n -> "(:= " + n.name() + " " + of(n.value()) + ")";
            case Expr.JoinedStr j -> "(f" + (j.parts().isEmpty() ? "" : " " + all(j.parts())) + ")";
            case Expr.FormattedValue f -> "{" + of(f.value()) + (f.conversion() == 0 ? "" : "!" + f.conversion())
                    + (f.formatSpec() == null ? "" : ":" + of(f.formatSpec())) + "}";
            case Expr.Yield y -> "(yield " + of(y.value()) + ")";
        };
    }

    static String params(List<Stmt.Param> ps) {
        return ps.stream().map(p -> switch (p.kind()) {
            case POSITIONAL -> "";
            case VARARGS -> "*";
            case KEYWORD_ONLY -> "kw:";
            case KWARGS -> "**";
        } + p.name() + (p.annotation() == null ? "" : ":" + of(p.annotation()))
                + (p.defaultValue() == null ? "" : "=" + of(p.defaultValue()))).collect(Collectors.joining(" "));
    }

    private static String clauses(List<Expr.ForClause> cs) {
        return cs.stream().map(c -> " for " + of(c.target()) + " in " + of(c.iter())
                + c.conditions().stream().map(x -> " if " + of(x)).collect(Collectors.joining())).collect(Collectors.joining());
    }

    private static String all(List<Expr> es) {
        return es.stream().map(Sexp::of).collect(Collectors.joining(" "));
    }

    private static String constant(Object v) {
        if (v == Expr.NONE) return "None";
        if (v == Expr.ELLIPSIS) return "...";
        if (v instanceof String s) return "'" + s + "'";
        if (v instanceof Double d) return d + "d";
        if (v instanceof java.math.BigInteger b) return b + "n";
        return String.valueOf(v);
    }
}
