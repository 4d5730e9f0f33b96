package kc.frontend.ast;

import java.util.List;

/** Python statements kc understands. Every node carries the position of its first token. */
public sealed interface Stmt {
    Pos pos();

    record ExprStmt(Pos pos, Expr value) implements Stmt {}
    /** {@code a = b = value}: targets in source order; a target may be a Tuple/List for unpacking. */
    record Assign(Pos pos, List<Expr> targets, Expr value) implements Stmt {}
    record AugAssign(Pos pos, Expr target, Expr.BinOpKind op, Expr value) implements Stmt {}
    /** {@code x: T = value} (value may be null). */
    record AnnAssign(Pos pos, Expr target, Expr annotation, Expr value) implements Stmt {}
    record FunctionDef(Pos pos, String name, List<Param> params, List<Stmt> body, List<Expr> decorators, Expr returns) implements Stmt {}
    record ClassDef(Pos pos, String name, List<Expr> bases, List<Expr.Keyword> keywords, List<Stmt> body, List<Expr> decorators) implements Stmt {}
    record Return(Pos pos, Expr value) implements Stmt {}
    record If(Pos pos, Expr test, List<Stmt> body, List<Stmt> orElse) implements Stmt {}
    record For(Pos pos, Expr target, Expr iter, List<Stmt> body, List<Stmt> orElse) implements Stmt {}
    record While(Pos pos, Expr test, List<Stmt> body, List<Stmt> orElse) implements Stmt {}
    record Break(Pos pos) implements Stmt {}
    record Continue(Pos pos) implements Stmt {}
    record Pass(Pos pos) implements Stmt {}
    record Delete(Pos pos, List<Expr> targets) implements Stmt {}
    record Global(Pos pos, List<String> names) implements Stmt {}
    record Nonlocal(Pos pos, List<String> names) implements Stmt {}
    /** {@code import a.b.c as d}: one Alias per comma-separated name. */
    record Import(Pos pos, List<Alias> names) implements Stmt {}
    /** {@code from ..mod import a as b, *}; level counts leading dots; name "*" imports everything. */
    record ImportFrom(Pos pos, String module, List<Alias> names, int level) implements Stmt {}
    record Assert(Pos pos, Expr test, Expr message) implements Stmt {}
    record Raise(Pos pos, Expr exception, Expr cause) implements Stmt {}
    record With(Pos pos, List<WithItem> items, List<Stmt> body) implements Stmt {}
    record Try(Pos pos, List<Stmt> body, List<Handler> handlers, List<Stmt> orElse, List<Stmt> finalBody) implements Stmt {}

    record Alias(String name, String asName) {}
    record WithItem(Expr context, Expr target) {}
    /** {@code except type as name:}; type and name may be null. */
    record Handler(Pos pos, Expr type, String name, List<Stmt> body) {}

    /** A function or lambda parameter. */
    record Param(Pos pos, String name, ParamKind kind, Expr defaultValue, Expr annotation) {}

    /** POSITIONAL includes positional-or-keyword and positional-only; VARARGS is *args; KEYWORD_ONLY follows * or *args. */
    enum ParamKind { POSITIONAL, VARARGS, KEYWORD_ONLY, KWARGS }
}
