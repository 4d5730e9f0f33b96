package kc.frontend.eval;

import java.util.List;

import kc.frontend.ast.Expr;
import kc.frontend.ast.Stmt;

/** Finds yield expressions in a function body, not descending into nested functions, lambdas and classes. */
final class YieldScan {
    private YieldScan() {}

    static boolean stmt(Stmt s) {
        return switch (s) {
            case Stmt.ExprStmt e -> expr(e.value());
            case Stmt.Assign a -> exprs(a.targets()) || expr(a.value());
            case Stmt.AugAssign a -> expr(a.target()) || expr(a.value());
            case Stmt.AnnAssign a -> expr(a.target()) || expr(a.value());
            case Stmt.FunctionDef f -> false;
            case Stmt.ClassDef c -> false;
            case Stmt.Return r -> expr(r.value());
            case Stmt.If i -> expr(i.test()) || stmts(i.body()) || stmts(i.orElse());
            case Stmt.For f -> expr(f.target()) || expr(f.iter()) || stmts(f.body()) || stmts(f.orElse());
            case Stmt.While w -> expr(w.test()) || stmts(w.body()) || stmts(w.orElse());
            case Stmt.Delete d -> exprs(d.targets());
            case Stmt.Assert a -> expr(a.test()) || expr(a.message());
            case Stmt.Raise r -> expr(r.exception()) || expr(r.cause());
            case Stmt.With w -> {
                for (Stmt.WithItem wi : w.items()) if (expr(wi.context()) || expr(wi.target())) yield true;
                yield stmts(w.body());
            }
            case Stmt.Try t -> {
                if (stmts(t.body()) || stmts(t.orElse()) || stmts(t.finalBody())) yield true;
                for (Stmt.Handler h : t.handlers()) if (expr(h.type()) || stmts(h.body())) yield true;
                yield false;
            }
            case Stmt.Break b -> false;
            case Stmt.Continue c -> false;
            case Stmt.Pass p -> false;
            case Stmt.Global g -> false;
            case Stmt.Nonlocal n -> false;
            case Stmt.Import i -> false;
            case Stmt.ImportFrom i -> false;
        };
    }

    private static boolean stmts(List<Stmt> body) {
        for (Stmt s : body) if (stmt(s)) return true;
        return false;
    }

    private static boolean exprs(List<Expr> es) {
        for (Expr e : es) if (expr(e)) return true;
        return false;
    }

    static boolean expr(Expr e) {
        if (e == null) return false;
        return switch (e) {
            case Expr.Yield y -> true;
            case Expr.Lambda l -> false;
            case Expr.Name n -> false;
            case Expr.Constant c -> false;
            case Expr.BinOp b -> expr(b.left()) || expr(b.right());
            case Expr.UnaryOp u -> expr(u.operand());
            case Expr.BoolOp b -> exprs(b.values());
            case Expr.Compare c -> expr(c.left()) || exprs(c.comparators());
            case Expr.Call c -> {
                if (expr(c.func()) || exprs(c.args())) yield true;
                for (Expr.Keyword k : c.keywords()) if (expr(k.value())) yield true;
                yield false;
            }
            case Expr.Attribute a -> expr(a.value());
            case Expr.Subscript s -> expr(s.value()) || expr(s.index());
            case Expr.Slice s -> expr(s.lower()) || expr(s.upper()) || expr(s.step());
            case Expr.Tuple t -> exprs(t.elements());
            case Expr.ListExpr l -> exprs(l.elements());
            case Expr.SetExpr s -> exprs(s.elements());
            case Expr.Dict d -> {
                for (Expr k : d.keys()) if (expr(k)) yield true;
                yield exprs(d.values());
            }
            // A yield inside a comprehension belongs to the comprehension (a SyntaxError since Python 3.8).
            case Expr.Comprehension c -> false;
            case Expr.DictComprehension c -> false;
            case Expr.IfExp i -> expr(i.test()) || expr(i.body()) || expr(i.orElse());
            case Expr.Starred s -> expr(s.value());
            case Expr.NamedExpr n -> expr(n.value());
            case Expr.JoinedStr j -> exprs(j.parts());
            case Expr.FormattedValue f -> expr(f.value()) || expr(f.formatSpec());
        };
    }
}
