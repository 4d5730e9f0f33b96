package kc.frontend.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.ast.Expr;
import kc.frontend.ast.Stmt;

/** A Python function or lambda defined by user or prelude code, with its defaults and closure. */
final class PyFunction {
    final String name;
    /** Dotted definition path, e.g. "Conv2d.forward"; its first part names a prelude composite. */
    final String qualname;
    final List<Stmt.Param> params;
    /** Evaluated default per parameter (null where there is none). */
    final Object[] defaults;
    /** The statements of a def, or null for a lambda. */
    final List<Stmt> body;
    /** The expression of a lambda, or null for a def. */
    final Expr lambdaBody;
    final Scope closure;
    final Scope globals;
    /** The source the code comes from: user code or kc's prelude. */
    final SourceUnit source;
    final boolean generator;
    /** The class whose body defined this function (zero-argument super() needs it); set when the class is made. */
    PyClass definingClass;
    /** Function attributes (fn.__name__ and friends come from the fields). */
    final Map<String, Object> attrs = new HashMap<>();

    PyFunction(String name, String qualname, List<Stmt.Param> params, Object[] defaults, List<Stmt> body,
               Expr lambdaBody, Scope closure, Scope globals, SourceUnit source, boolean generator) {
        this.name = name;
        this.qualname = qualname;
        this.params = params;
        this.defaults = defaults;
        this.body = body;
        this.lambdaBody = lambdaBody;
        this.closure = closure;
        this.globals = globals;
        this.source = source;
        this.generator = generator;
    }

    /** The composite name this function stands for when it is prelude code: its outermost qualname part. */
    String compositeName() {
        int dot = qualname.indexOf('.');
        return dot < 0 ? qualname : qualname.substring(0, dot);
    }

    @Override public String toString() { return "<function " + qualname + ">"; }
}
