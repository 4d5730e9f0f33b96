package kc.frontend.eval;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import kc.frontend.ast.Stmt;
import kc.frontend.eval.PyObjects.ModuleObject;

/**
 * Executes Python statements and evaluates expressions by walking kc's AST. Values and their behaviour (calls,
 * attributes, operators) belong to the {@link PyRuntime}; this class owns control flow, scopes, assignment
 * targets, function calls' argument binding and the definition of functions and classes.
 */
final class Interpreter {
    private static final int MAX_DEPTH = 600;
    /** Loops and generators this long are runaway code in a model file (kc runs generators eagerly). */
    private static final long LOOP_LIMIT = 10_000_000L;

    private final PyRuntime rt;
    /** The value of the last executed return statement, picked up by the function call it ends. */
    private Object returnValue;
    /** The scope of the function being executed (zero-argument super() looks at it). */
    Scope currentScope;
    private int depth;
    /** The exception being handled by the innermost except block (a bare raise re-raises it). */
    private PyRaise handling;

    /**
     * -D overrides: NAME to the parsed VALUE expression. Like kc's PyTorch reference harness, every assignment
     * statement at the top level of the user's module that binds NAME (=, :, op=) binds the value of the
     * expression instead, evaluated there in the module's globals.
     */
    Map<String, Expr> overrides = Map.of();
    Scope userModuleScope;
    /** The names the user's module binds in top-level assignment statements, in order of first binding. */
    final LinkedHashSet<String> moduleAssigned = new LinkedHashSet<>();
    /** True while a top-level assignment statement of the user's module executes. */
    private boolean topLevelAssignment;

    /** Runs the user's module: its top-level assignments are where -D overrides apply. */
    void execUserModule(List<Stmt> body, Scope scope, SourceUnit source) {
        userModuleScope = scope;
        execModule(body, scope, source);
    }

    /**
     * The value of a one-expression module (the command line's --entry or --inputs) in the user module's namespace;
     * its positions are in the expression's own text, which errors name.
     */
    Object evalExpressionModule(kc.frontend.ast.PyModule expression, Map<String, Object> globals) {
        if (expression.body().size() != 1 || !(expression.body().get(0) instanceof Stmt.ExprStmt e))
            throw new kc.frontend.CompileError(expression.file(), 1, 1, "expected one Python expression");
        java.util.LinkedHashMap<String, Object> names = new java.util.LinkedHashMap<>(globals); // the file's own, untouched
        String result = "__kc_value__";
        execModule(List.of(new Stmt.Assign(e.pos(), List.of(new Expr.Name(e.pos(), result)), e.value())), Scope.module(names),
                new SourceUnit(expression.file(), false));
        return names.get(result);
    }

    /** The value a top-level assignment to {@code name} binds: the -D override's when there is one. */
    private Object overridden(String name, Object value) {
        moduleAssigned.add(name);
        Expr o = overrides.get(name);
        if (o == null) return value;
        kc.frontend.ast.Pos pos = rt.userPos;
        try {
            return eval(o, userModuleScope);
        } catch (kc.frontend.CompileError | PyRaise e) {
            String hint = o instanceof Expr.Name n
                    ? " (a string needs quotes: -D " + name + "=\"'" + n.id() + "'\")" : "";
            throw new kc.frontend.CompileError(rt.userFile, pos, "-D " + name + ": " + e.getMessage() + hint);
        } finally {
            rt.userPos = pos; // the override's own positions are in the -D text, not in the file
        }
    }

    Interpreter(PyRuntime rt) { this.rt = rt; }

    // ================================================================ modules and functions

    /** Runs a module's top-level code in the given module scope. */
    void execModule(List<Stmt> body, Scope scope, SourceUnit source) {
        PyRuntime.Saved saved = rt.enter(source, null);
        rt.inUser = true; // module-level code positions are tracked, prelude modules' too (their errors are bugs)
        rt.userFile = source.file();
        Scope prev = currentScope;
        SourceUnit prevSource = moduleSource;
        currentScope = scope;
        moduleSource = source;
        try {
            for (Stmt st : body) {
                topLevelAssignment = scope == userModuleScope
                        && (st instanceof Stmt.Assign || st instanceof Stmt.AnnAssign || st instanceof Stmt.AugAssign);
                try {
                    if (exec(st, scope) != ControlFlow.NORMAL) throw rt.error("'return', 'break' or 'continue' outside function or loop");
                } finally {
                    topLevelAssignment = false;
                }
            }
        } catch (kc.frontend.CompileError | PyRaise e) {
            throw e;
        } catch (RuntimeException e) {
            throw rt.internalError(e);
        } finally {
            currentScope = prev;
            moduleSource = prevSource;
            rt.exit(saved);
        }
    }

    Object invoke(PyFunction fn, List<Object> args, Map<String, Object> kwargs) {
        Scope s = Scope.function(fn.closure, fn.globals, fn);
        s.qualPrefix = fn.qualname + ".<locals>.";
        bindArguments(fn, s, args, kwargs);
        if (depth >= MAX_DEPTH) throw rt.raise("RecursionError", "maximum recursion depth exceeded");
        PyRuntime.Saved saved = rt.enter(fn.source, fn.source.prelude() ? compositeName(fn, args) : null);
        Scope prev = currentScope;
        currentScope = s;
        depth++;
        try {
            if (fn.lambdaBody != null) return eval(fn.lambdaBody, s);
            if (fn.generator) s.yieldSink = new ArrayList<>();
            ControlFlow flow = exec(fn.body, s);
            Object result = flow == ControlFlow.RETURN ? returnValue : Py.NONE;
            returnValue = null;
            if (fn.generator) return PyObjects.PyIterator.of(s.yieldSink);
            return result;
        } catch (kc.frontend.CompileError | PyRaise e) {
            throw e;
        } catch (RuntimeException e) {
            throw rt.internalError(e);
        } finally {
            depth--;
            currentScope = prev;
            rt.exit(saved);
        }
    }

    /**
     * The composite a prelude function stands for: for a method called on an instance, the instance's most
     * derived prelude class (Conv2d, even though forward is inherited from _ConvNd); otherwise the function's
     * outermost qualified name part (softmax, or the class of a static method).
     */
    private static String compositeName(PyFunction fn, List<Object> args) {
        if (fn.definingClass != null && !args.isEmpty() && args.get(0) instanceof PyInstance self
                && self.cls.isSubclassOf(fn.definingClass)) {
            for (PyClass c : self.cls.mro) if (c.source != null && c.source.prelude()) return c.name;
        }
        return fn.compositeName();
    }

    private void bindArguments(PyFunction fn, Scope s, List<Object> args, Map<String, Object> kwargs) {
        Map<String, Object> vars = s.vars;
        List<Stmt.Param> params = fn.params;
        int next = 0, positional = 0;
        String kwargsName = null;
        for (Stmt.Param p : params) {
            switch (p.kind()) {
                case POSITIONAL -> {
                    positional++;
                    if (next < args.size()) vars.put(p.name(), args.get(next++));
                }
                case VARARGS -> {
                    vars.put(p.name(), new Py.Tuple(next < args.size() ? args.subList(next, args.size()) : List.of()));
                    next = args.size();
                }
                case KWARGS -> kwargsName = p.name();
                case KEYWORD_ONLY -> { }
            }
        }
        if (next < args.size()) {
            int required = 0;
            for (int k = 0; k < params.size(); k++)
                if (params.get(k).kind() == Stmt.ParamKind.POSITIONAL && fn.defaults[k] == null) required++;
            String takes = required == positional ? positional + " positional argument" + (positional == 1 ? "" : "s")
                    : "from " + required + " to " + positional + " positional arguments";
            throw rt.raise("TypeError", fn.qualname + "() takes " + takes + " but " + args.size()
                    + (args.size() == 1 ? " was" : " were") + " given");
        }
        Py.PyDict extra = kwargsName == null ? null : new Py.PyDict();
        if (!kwargs.isEmpty()) {
            for (var e : kwargs.entrySet()) {
                Stmt.Param p = null;
                for (Stmt.Param q : params)
                    if (q.name().equals(e.getKey()) && (q.kind() == Stmt.ParamKind.POSITIONAL || q.kind() == Stmt.ParamKind.KEYWORD_ONLY)) {
                        p = q;
                        break;
                    }
                if (p != null) {
                    if (vars.containsKey(p.name()))
                        throw rt.raise("TypeError", fn.qualname + "() got multiple values for argument '" + p.name() + "'");
                    vars.put(p.name(), e.getValue());
                } else if (extra != null) {
                    extra.items.put(e.getKey(), e.getValue());
                } else {
                    throw rt.raise("TypeError", fn.qualname + "() got an unexpected keyword argument '" + e.getKey() + "'");
                }
            }
        }
        for (int k = 0; k < params.size(); k++) {
            Stmt.Param p = params.get(k);
            if ((p.kind() == Stmt.ParamKind.POSITIONAL || p.kind() == Stmt.ParamKind.KEYWORD_ONLY) && !vars.containsKey(p.name())) {
                Object d = fn.defaults[k];
                if (d == null) {
                    String what = p.kind() == Stmt.ParamKind.POSITIONAL ? "positional" : "keyword-only";
                    throw rt.raise("TypeError", fn.qualname + "() missing 1 required " + what + " argument: '" + p.name() + "'");
                }
                vars.put(p.name(), d);
            }
        }
        if (kwargsName != null) vars.put(kwargsName, extra);
    }

    private PyFunction makeFunction(String name, List<Stmt.Param> params, List<Stmt> body, Expr lambdaBody, Scope scope) {
        Object[] defaults = new Object[params.size()];
        for (int k = 0; k < params.size(); k++) {
            Expr d = params.get(k).defaultValue();
            if (d != null) defaults[k] = eval(d, scope);
        }
        SourceUnit source = currentSource();
        return new PyFunction(name, scope.qualPrefix + name, params, defaults, body, lambdaBody,
                scope.closureForNested(), scope.globals, source, body != null && containsYield(body));
    }

    /** The source unit of the code now running (user code or prelude), taken from the enclosing function. */
    private SourceUnit currentSource() {
        if (currentScope != null && currentScope.function != null) return currentScope.function.source;
        return moduleSource;
    }

    /** The source of the module whose top-level code is running. */
    SourceUnit moduleSource;

    /** Whether a def body yields (not counting nested functions, lambdas and classes): then it runs as a generator. */
    private static boolean containsYield(List<Stmt> body) {
        for (Stmt st : body) if (YieldScan.stmt(st)) return true;
        return false;
    }

    // ================================================================ statements

    ControlFlow exec(List<Stmt> body, Scope s) {
        for (int i = 0, n = body.size(); i < n; i++) {
            ControlFlow f = exec(body.get(i), s);
            if (f != ControlFlow.NORMAL) return f;
        }
        return ControlFlow.NORMAL;
    }

    private ControlFlow exec(Stmt stmt, Scope s) {
        if (rt.inUser) rt.userPos = stmt.pos();
        switch (stmt) {
            case Stmt.ExprStmt e -> {
                if (e.value() instanceof Expr.Call c && c.func() instanceof Expr.Name n && n.id().equals("print")
                        && lookupOrNull("print", s) == rt.builtins.get("print")) debugPrint(c, s);
                else eval(e.value(), s);
            }
            case Stmt.Assign a -> {
                Object v = eval(a.value(), s);
                for (Expr t : a.targets()) assign(t, v, s);
            }
            case Stmt.AugAssign a -> augAssign(a, s);
            case Stmt.AnnAssign a -> {
                if (s.kind == Scope.Kind.CLASS_BODY && a.target() instanceof Expr.Name n) {
                    // Field order for dataclasses; the annotation itself is never evaluated (it is only a hint).
                    Object ann = s.vars.computeIfAbsent("__annotations__", k -> new Py.PyDict());
                    if (ann instanceof Py.PyDict d) d.items.put(n.id(), Py.NONE);
                }
                if (a.value() != null) assign(a.target(), eval(a.value(), s), s);
                else if (topLevelAssignment && s == userModuleScope && a.target() instanceof Expr.Name n
                        && overrides.containsKey(n.id())) s.assign(n.id(), overridden(n.id(), null));
            }
            case Stmt.FunctionDef f -> defineFunction(f, s);
            case Stmt.ClassDef c -> defineClass(c, s);
            case Stmt.Return r -> {
                returnValue = r.value() == null ? Py.NONE : eval(r.value(), s);
                return ControlFlow.RETURN;
            }
            case Stmt.If i -> {
                return rt.truthy(eval(i.test(), s)) ? exec(i.body(), s) : exec(i.orElse(), s);
            }
            case Stmt.For f -> { return execFor(f, s); }
            case Stmt.While w -> { return execWhile(w, s); }
            case Stmt.Break b -> { return ControlFlow.BREAK; }
            case Stmt.Continue c -> { return ControlFlow.CONTINUE; }
            case Stmt.Pass p -> { }
            case Stmt.Delete d -> { for (Expr t : d.targets()) delete(t, s); }
            case Stmt.Global g -> { for (String n : g.names()) s.declareGlobal(n); }
            case Stmt.Nonlocal n -> { for (String name : n.names()) s.declareNonlocal(name); }
            case Stmt.Import im -> execImport(im, s);
            case Stmt.ImportFrom im -> execImportFrom(im, s);
            case Stmt.Assert a -> {
                if (!rt.truthy(eval(a.test(), s))) {
                    String msg = a.message() == null ? "" : rt.str(eval(a.message(), s));
                    if (rt.inUser) rt.userPos = a.pos();
                    PyInstance exc = new PyInstance(Types.EXCEPTIONS.get("AssertionError"), false);
                    exc.dict.put("args", msg.isEmpty() ? Py.Tuple.of() : Py.Tuple.of(msg));
                    throw new PyRaise(exc, "AssertionError" + (msg.isEmpty() ? "" : ": " + msg), rt.userFile, rt.userPos);
                }
            }
            case Stmt.Raise r -> execRaise(r, s);
            case Stmt.With w -> { return execWith(w, s, 0); }
            case Stmt.Try t -> { return execTry(t, s); }
        }
        return ControlFlow.NORMAL;
    }

    /**
     * print(...) is a no-op, but its arguments still run (they may have side effects). A value kc only knows at
     * run time (print(x.mean().item())) must not stop compilation over a debug print: that becomes a warning.
     */
    private void debugPrint(Expr.Call c, Scope s) {
        try {
            evalCall(c, s);
        } catch (kc.frontend.CompileError e) {
            rt.warnings.add(e.file() + ":" + e.line() + ":" + e.column() + ": warning: print() skipped: " + e.getMessage());
        }
    }

    private ControlFlow execFor(Stmt.For f, Scope s) {
        Iterator<Object> it = rt.iterate(eval(f.iter(), s));
        long guard = 0;
        while (it.hasNext()) {
            if (++guard > LOOP_LIMIT) throw rt.error("unsupported: a for loop ran more than 10^7 iterations");
            assign(f.target(), it.next(), s);
            ControlFlow r = exec(f.body(), s);
            if (r == ControlFlow.BREAK) return ControlFlow.NORMAL;
            if (r == ControlFlow.RETURN) return r;
        }
        return exec(f.orElse(), s);
    }

    private ControlFlow execWhile(Stmt.While w, Scope s) {
        long guard = 0;
        while (rt.truthy(eval(w.test(), s))) {
            if (++guard > LOOP_LIMIT) throw rt.error("unsupported: a while loop ran more than 10^7 iterations");
            ControlFlow r = exec(w.body(), s);
            if (r == ControlFlow.BREAK) return ControlFlow.NORMAL;
            if (r == ControlFlow.RETURN) return r;
        }
        return exec(w.orElse(), s);
    }

    private void augAssign(Stmt.AugAssign a, Scope s) {
        Object value;
        switch (a.target()) {
            case Expr.Name n -> {
                Object cur = lookup(n, s);
                value = eval(a.value(), s);
                at(a.pos());
                Object result = rt.inplace(a.op(), cur, value);
                if (topLevelAssignment && s == userModuleScope) result = overridden(n.id(), result);
                s.assign(n.id(), result);
            }
            case Expr.Attribute at -> {
                Object obj = eval(at.value(), s);
                Object cur = rt.getAttr(obj, at.attr());
                value = eval(a.value(), s);
                at(a.pos());
                rt.setAttr(obj, at.attr(), rt.inplace(a.op(), cur, value));
            }
            case Expr.Subscript sub -> {
                Object obj = eval(sub.value(), s);
                Object idx = evalIndex(sub.index(), s);
                Object cur = rt.getItem(obj, idx);
                value = eval(a.value(), s);
                at(a.pos());
                rt.setItem(obj, idx, rt.inplace(a.op(), cur, value));
            }
            default -> throw rt.error("illegal expression for augmented assignment");
        }
    }

    /** Binds value to an assignment target: a name, attribute, subscript, or (nested, starred) tuple/list. */
    void assign(Expr target, Object value, Scope s) {
        switch (target) {
            case Expr.Name n -> {
                if (topLevelAssignment && s == userModuleScope) value = overridden(n.id(), value);
                s.assign(n.id(), value);
            }
            case Expr.Attribute a -> {
                Object obj = eval(a.value(), s);
                at(a.pos());
                rt.setAttr(obj, a.attr(), value);
            }
            case Expr.Subscript sub -> {
                Object obj = eval(sub.value(), s);
                Object idx = evalIndex(sub.index(), s);
                at(sub.pos());
                rt.setItem(obj, idx, value);
            }
            case Expr.Tuple t -> unpack(t.elements(), value, s);
            case Expr.ListExpr l -> unpack(l.elements(), value, s);
            case Expr.Starred st -> throw rt.raise("TypeError", "starred assignment target must be in a list or tuple");
            default -> throw rt.error("cannot assign to " + target.getClass().getSimpleName().toLowerCase());
        }
    }

    private void unpack(List<Expr> targets, Object value, Scope s) {
        List<Object> items = rt.toList(value);
        int star = -1;
        for (int k = 0; k < targets.size(); k++) if (targets.get(k) instanceof Expr.Starred) star = k;
        if (star < 0) {
            if (items.size() != targets.size()) {
                if (items.size() > targets.size())
                    throw rt.raise("ValueError", "too many values to unpack (expected " + targets.size() + ")");
                throw rt.raise("ValueError", "not enough values to unpack (expected " + targets.size() + ", got " + items.size() + ")");
            }
            for (int k = 0; k < targets.size(); k++) assign(targets.get(k), items.get(k), s);
            return;
        }
        int after = targets.size() - star - 1;
        if (items.size() < targets.size() - 1)
            throw rt.raise("ValueError", "not enough values to unpack (expected at least " + (targets.size() - 1) + ", got " + items.size() + ")");
        for (int k = 0; k < star; k++) assign(targets.get(k), items.get(k), s);
        assign(((Expr.Starred) targets.get(star)).value(),
                new Py.PyList(items.subList(star, items.size() - after)), s);
        for (int k = 0; k < after; k++)
            assign(targets.get(star + 1 + k), items.get(items.size() - after + k), s);
    }

    private void delete(Expr target, Scope s) {
        switch (target) {
            case Expr.Name n -> {
                if (!s.delete(n.id())) throw rt.raise("NameError", "name '" + n.id() + "' is not defined");
            }
            case Expr.Attribute a -> rt.delAttr(eval(a.value(), s), a.attr());
            case Expr.Subscript sub -> rt.delItem(eval(sub.value(), s), evalIndex(sub.index(), s));
            case Expr.Tuple t -> { for (Expr e : t.elements()) delete(e, s); }
            case Expr.ListExpr l -> { for (Expr e : l.elements()) delete(e, s); }
            default -> throw rt.error("cannot delete " + target.getClass().getSimpleName().toLowerCase());
        }
    }

    private void defineFunction(Stmt.FunctionDef f, Scope s) {
        List<Object> decorators = new ArrayList<>();
        for (Expr d : f.decorators()) decorators.add(evalDecorator(d, s));
        Object fn = makeFunction(f.name(), f.params(), f.body(), null, s);
        fn = applyDecorators(f.decorators(), decorators, fn, s);
        s.assign(f.name(), fn);
    }

    private void defineClass(Stmt.ClassDef c, Scope s) {
        List<Object> decorators = new ArrayList<>();
        for (Expr d : c.decorators()) decorators.add(evalDecorator(d, s));
        List<PyClass> bases = new ArrayList<>();
        PyObjects.Unavailable unavailableBase = null;
        for (Expr b : c.bases()) {
            if (b instanceof Expr.Starred) throw rt.error("unsupported: starred base classes");
            Object base = eval(b, s);
            if (base instanceof PyObjects.TypingForm) continue; // Generic[T], Protocol
            if (base instanceof PyObjects.Unavailable u) { unavailableBase = u; continue; } // fine until instantiated
            if (!(base instanceof PyClass pc)) throw rt.raise("TypeError", "cannot subclass " + rt.repr(base));
            bases.add(pc);
        }
        if (bases.isEmpty()) bases.add(Types.OBJECT);
        LinkedHashMap<String, Object> dict = new LinkedHashMap<>();
        dict.put("__module__", s.globals.vars.getOrDefault("__name__", "__main__"));
        dict.put("__qualname__", s.qualPrefix + c.name());
        if (unavailableBase != null) dict.put(PyRuntime.UNAVAILABLE_BASE, unavailableBase);
        Scope body = Scope.classBody(s, dict);
        body.qualPrefix = s.qualPrefix + c.name() + ".";
        exec(c.body(), body);
        PyClass cls = new PyClass(c.name(), bases, dict, currentSource());
        for (Object v : dict.values()) {
            Object fn = v;
            if (v instanceof PyObjects.StaticMethod sm) fn = sm.function();
            if (v instanceof PyObjects.ClassMethod cm) fn = cm.function();
            if (v instanceof PyObjects.Property p) {
                if (p.fset() instanceof PyFunction setter) setter.definingClass = cls;
                fn = p.fget();
            }
            if (fn instanceof PyFunction pf && pf.definingClass == null) pf.definingClass = cls;
        }
        Object result = applyDecorators(c.decorators(), decorators, cls, s);
        s.assign(c.name(), result);
    }

    /**
     * Evaluates a decorator. Torch decorators kc does not know (@torch.jit.ignore, @torch.compile...) only affect
     * how PyTorch runs the code, so an unknown attribute of a torch module is the identity, with a warning.
     */
    private Object evalDecorator(Expr d, Scope s) {
        try {
            return eval(d, s);
        } catch (PyRaise e) {
            if (isTorchRooted(d, s)) {
                rt.warnings.add(rt.userFile + ":" + d.pos() + ": warning: ignoring unknown decorator (" + e.getMessage() + ")");
                return IDENTITY;
            }
            throw e;
        }
    }

    private static final NativeFunction IDENTITY = new NativeFunction("identity", (ctx, a, kw) -> a.get(0));

    private boolean isTorchRooted(Expr d, Scope s) {
        Expr e = d;
        while (true) {
            if (e instanceof Expr.Call c) e = c.func();
            else if (e instanceof Expr.Attribute a) e = a.value();
            else break;
        }
        return e instanceof Expr.Name n && lookupOrNull(n.id(), s) instanceof ModuleObject m
                && (m.name().equals("torch") || m.name().startsWith("torch."));
    }

    private Object applyDecorators(List<Expr> exprs, List<Object> decorators, Object target, Scope s) {
        for (int k = decorators.size() - 1; k >= 0; k--) {
            at(exprs.get(k).pos());
            target = rt.call(decorators.get(k), List.of(target), Map.of());
        }
        return target;
    }

    private void execImport(Stmt.Import im, Scope s) {
        for (Stmt.Alias a : im.names()) {
            Object m = importModule(a.name());
            if (a.asName() != null) s.assign(a.asName(), m);
            else {
                int dot = a.name().indexOf('.');
                s.assign(dot < 0 ? a.name() : a.name().substring(0, dot), dot < 0 ? m : importModule(a.name().substring(0, dot)));
            }
        }
    }

    private void execImportFrom(Stmt.ImportFrom im, Scope s) {
        String moduleName = im.level() > 0 ? relativeModule(im, s) : im.module();
        if (moduleName.equals("__future__")) return;
        Object imported = importModule(moduleName);
        if (im.level() > 0 && im.module() == null && imported instanceof ModuleObject pkg) { // from . import a, b: submodules
            for (Stmt.Alias a : im.names()) {
                Object v = pkg.dict().get(a.name());
                if (v == null) v = importModule(moduleName + "." + a.name());
                s.assign(a.asName() != null ? a.asName() : a.name(), v);
            }
            return;
        }
        if (imported instanceof PyObjects.Unavailable u) { // every name from it is unavailable too
            for (Stmt.Alias a : im.names()) {
                if (a.name().equals("*")) throw rt.raise("ImportError", "unsupported: from " + moduleName + " import *: " + u.why());
                s.assign(a.asName() != null ? a.asName() : a.name(), new PyObjects.Unavailable(moduleName + "." + a.name(), u.why()));
            }
            return;
        }
        ModuleObject m = (ModuleObject) imported;
        for (Stmt.Alias a : im.names()) {
            if (a.name().equals("*")) {
                for (var e : m.dict().entrySet()) if (!e.getKey().startsWith("_")) s.assign(e.getKey(), e.getValue());
                continue;
            }
            Object v = m.dict().get(a.name());
            if (v == null) v = rt.modules.get(moduleName + "." + a.name());
            // Annotation-only names: whatever typing offers, kc never looks inside an annotation.
            if (v == null && (moduleName.equals("typing") || moduleName.equals("typing_extensions")))
                v = new PyObjects.TypingForm(a.name());
            if (v == null && PyRuntime.modelledLibrary(moduleName))
                v = new PyObjects.Unavailable(moduleName + "." + a.name(), "kc does not model " + moduleName + "." + a.name());
            if (v == null) throw rt.raise("ImportError", "cannot import name '" + a.name() + "' from '" + moduleName + "'");
            s.assign(a.asName() != null ? a.asName() : a.name(), v);
        }
    }

    /**
     * The module named, or where kc has no model of it an {@link PyObjects.Unavailable}: importing argparse or json is
     * harmless until the traced code uses them (a submodule of a modelled library counts as that library's gap).
     */
    private Object importModule(String name) {
        ModuleObject m = rt.modules.get(name);
        if (m != null) return m;
        java.nio.file.Path own = findUserModule(name);
        if (own != null) return loadUserModule(name, own);
        int dot = name.lastIndexOf('.');
        String why = dot > 0 && PyRuntime.modelledLibrary(name.substring(0, dot)) ? "kc does not model " + name : "module '" + name + "' is not available in kc";
        return new PyObjects.Unavailable(name, why);
    }

    /** Folders searched for the file's own modules: its folder, then --path's (kc's modelled libraries come first). */
    List<java.nio.file.Path> searchPath = List.of();

    /** The file of the user's module {@code name} (a.b: a/b.py or a/b/__init__.py under a search folder), or null. */
    private java.nio.file.Path findUserModule(String name) {
        String rel = name.replace('.', '/');
        for (java.nio.file.Path dir : searchPath) {
            java.nio.file.Path py = dir.resolve(rel + ".py"), pkg = dir.resolve(rel).resolve("__init__.py");
            if (java.nio.file.Files.isRegularFile(py)) return py;
            if (java.nio.file.Files.isRegularFile(pkg)) return pkg;
        }
        return null;
    }

    /**
     * Evaluates one of the user's modules as Python imports it: its package first, registered before its code runs
     * (so cycles see the partial module), bound as an attribute of its package afterwards.
     */
    private ModuleObject loadUserModule(String name, java.nio.file.Path file) {
        int dot = name.lastIndexOf('.');
        ModuleObject parent = dot < 0 ? null : importModule(name.substring(0, dot)) instanceof ModuleObject p ? p : null;
        if (rt.modules.get(name) != null) return rt.modules.get(name); // the package's own code imported it
        String text;
        try {
            text = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException e) {
            throw rt.raise("ImportError", "cannot read " + file + " for module '" + name + "'");
        }
        kc.frontend.ast.PyModule parsed = kc.frontend.parse.PythonSource.parse(file.toString(), text);
        LinkedHashMap<String, Object> dict = new LinkedHashMap<>();
        boolean isPackage = file.getFileName().toString().equals("__init__.py");
        dict.put("__name__", name);
        dict.put("__file__", file.toString());
        dict.put("__package__", isPackage ? name : dot < 0 ? "" : name.substring(0, dot));
        ModuleObject m = new ModuleObject(name, dict);
        rt.modules.put(name, m);
        kc.frontend.ast.Pos pos = rt.userPos;
        String userFile = rt.userFile;
        try {
            execModule(parsed.body(), Scope.module(dict), new SourceUnit(file.toString(), false));
        } finally {
            rt.userPos = pos;
            rt.userFile = userFile;
        }
        if (parent != null) parent.dict().put(name.substring(dot + 1), m);
        return m;
    }

    /** The absolute name of a relative import ({@code from .utils import x} in package a: a.utils). */
    private String relativeModule(Stmt.ImportFrom im, Scope s) {
        Object pkg = s.globals.vars.get("__package__");
        if (!(pkg instanceof String base) || base.isEmpty())
            throw rt.raise("ImportError", "attempted relative import with no known parent package");
        String[] parts = base.split("\\.");
        if (im.level() - 1 >= parts.length) throw rt.raise("ImportError", "attempted relative import beyond top-level package");
        String prefix = String.join(".", java.util.Arrays.copyOf(parts, parts.length - (im.level() - 1)));
        return im.module() == null ? prefix : prefix + "." + im.module();
    }

    private void execRaise(Stmt.Raise r, Scope s) {
        if (r.exception() == null) {
            if (handling != null) throw handling;
            throw rt.raise("RuntimeError", "No active exception to reraise");
        }
        Object e = eval(r.exception(), s);
        if (e instanceof PyClass c) e = rt.call(c, List.of(), Map.of());
        at(r.pos());
        if (e instanceof PyInstance i && i.cls.isSubclassOf(Types.BASE_EXCEPTION)) throw rt.raiseInstance(i);
        throw rt.raise("TypeError", "exceptions must derive from BaseException");
    }

    private ControlFlow execWith(Stmt.With w, Scope s, int item) {
        if (item == w.items().size()) return exec(w.body(), s);
        Stmt.WithItem wi = w.items().get(item);
        Object ctx = eval(wi.context(), s);
        Object entered = ctx instanceof PyInstance ? rt.dunder(ctx, "__enter__") : null;
        if (wi.target() != null) assign(wi.target(), entered != null ? entered : ctx, s);
        ControlFlow f;
        try {
            f = execWith(w, s, item + 1);
        } finally {
            if (ctx instanceof PyInstance) rt.dunder(ctx, "__exit__", Py.NONE, Py.NONE, Py.NONE);
        }
        return f;
    }

    private ControlFlow execTry(Stmt.Try t, Scope s) {
        ControlFlow result;
        RuntimeException pending = null;
        try {
            result = exec(t.body(), s);
            if (result == ControlFlow.NORMAL) result = exec(t.orElse(), s);
        } catch (PyRaise e) {
            Stmt.Handler h = matchHandler(t.handlers(), e, s);
            if (h == null) {
                pending = e;
                result = ControlFlow.NORMAL;
            } else {
                PyRaise outer = handling;
                handling = e;
                try {
                    if (h.name() != null) s.assign(h.name(), e.exception);
                    result = exec(h.body(), s);
                } catch (RuntimeException inner) {
                    pending = inner;
                    result = ControlFlow.NORMAL;
                } finally {
                    handling = outer;
                }
            }
        } catch (RuntimeException other) {
            pending = other;
            result = ControlFlow.NORMAL;
        }
        if (!t.finalBody().isEmpty()) {
            Object saved = returnValue;
            ControlFlow f = exec(t.finalBody(), s);
            if (f != ControlFlow.NORMAL) return f;
            returnValue = saved;
        }
        if (pending != null) throw pending;
        return result;
    }

    private Stmt.Handler matchHandler(List<Stmt.Handler> handlers, PyRaise e, Scope s) {
        for (Stmt.Handler h : handlers) {
            if (h.type() == null) return h;
            Object type = eval(h.type(), s);
            List<Object> types = type instanceof Py.Tuple tu ? tu.items() : List.of(type);
            for (Object ty : types) if (ty instanceof PyClass c && e.exception.cls.isSubclassOf(c)) return h;
        }
        return null;
    }

    // ================================================================ expressions

    /** Records the user position of an operation about to run (positions inside the prelude are not shown). */
    private void at(Pos pos) {
        if (rt.inUser) rt.userPos = pos;
    }

    Object eval(Expr e, Scope s) {
        switch (e) {
            case Expr.Name n -> { return lookup(n, s); }
            case Expr.Constant c -> { return constant(c); }
            case Expr.Attribute a -> {
                Object obj = eval(a.value(), s);
                at(a.pos());
                return rt.readAttr(obj, a.attr());
            }
            case Expr.Call c -> { return evalCall(c, s); }
            case Expr.BinOp b -> {
                Object l = eval(b.left(), s);
                Object r = eval(b.right(), s);
                at(b.pos());
                return rt.binary(b.op(), l, r);
            }
            case Expr.UnaryOp u -> {
                Object v = eval(u.operand(), s);
                at(u.pos());
                return rt.unary(u.op(), v);
            }
            case Expr.BoolOp b -> {
                Object v = null;
                for (Expr x : b.values()) {
                    v = eval(x, s);
                    at(x.pos());
                    if (rt.truthy(v) != b.isAnd()) return v;
                }
                return v;
            }
            case Expr.Compare c -> {
                Object left = eval(c.left(), s);
                Object result = Boolean.TRUE;
                for (int k = 0; k < c.ops().size(); k++) {
                    Object right = eval(c.comparators().get(k), s);
                    at(c.pos());
                    result = rt.compare(c.ops().get(k), left, right);
                    if (k + 1 < c.ops().size() && !rt.truthy(result)) return result;
                    left = right;
                }
                return result;
            }
            case Expr.Subscript sub -> {
                Object obj = eval(sub.value(), s);
                Object idx = evalIndex(sub.index(), s);
                at(sub.pos());
                return rt.getItem(obj, idx);
            }
            case Expr.Slice sl -> { return evalIndex(sl, s); }
            case Expr.Tuple t -> { return new Py.Tuple(evalElements(t.elements(), s)); }
            case Expr.ListExpr l -> { return new Py.PyList(evalElements(l.elements(), s)); }
            case Expr.SetExpr st -> {
                List<Object> keys = new ArrayList<>();
                for (Object o : evalElements(st.elements(), s)) keys.add(rt.hashKey(o));
                return new PyObjects.PySet(keys);
            }
            case Expr.Dict d -> {
                Py.PyDict out = new Py.PyDict();
                for (int k = 0; k < d.keys().size(); k++) {
                    if (d.keys().get(k) == null) {
                        Object other = eval(d.values().get(k), s);
                        if (!(other instanceof Py.PyDict od)) throw rt.raise("TypeError", "'" + rt.typeName(other) + "' object is not a mapping");
                        out.items.putAll(od.items);
                    } else {
                        Object key = eval(d.keys().get(k), s);
                        out.items.put(rt.hashKey(key), eval(d.values().get(k), s));
                    }
                }
                return out;
            }
            case Expr.Comprehension c -> { return comprehension(c, s); }
            case Expr.DictComprehension c -> {
                Py.PyDict out = new Py.PyDict();
                Scope cs = Scope.comprehension(s);
                clauses(c.clauses(), 0, cs, () -> out.items.put(rt.hashKey(eval(c.key(), cs)), eval(c.value(), cs)));
                return out;
            }
            case Expr.Lambda l -> { return makeFunction("<lambda>", l.params(), null, l.body(), s); }
            case Expr.IfExp i -> { return rt.truthy(eval(i.test(), s)) ? eval(i.body(), s) : eval(i.orElse(), s); }
            case Expr.Starred st -> throw rt.error("can't use starred expression here");
            case Expr.NamedExpr n -> {
                Object v = eval(n.value(), s);
                s.walrusTarget().assign(n.name(), v);
                return v;
            }
            case Expr.JoinedStr j -> {
                StringBuilder sb = new StringBuilder();
                for (Expr part : j.parts()) {
                    if (part instanceof Expr.Constant c) sb.append(rt.str(constant(c)));
                    else sb.append(formatted((Expr.FormattedValue) part, s));
                }
                return sb.toString();
            }
            case Expr.FormattedValue f -> { return formatted(f, s); }
            case Expr.Yield y -> {
                Scope fs = s.functionScope();
                if (fs == null || fs.yieldSink == null) throw rt.error("'yield' outside function");
                if (fs.yieldSink.size() >= LOOP_LIMIT)
                    throw rt.error("unsupported: a generator yielded more than 10^7 values (kc runs generators eagerly)");
                fs.yieldSink.add(y.value() == null ? Py.NONE : eval(y.value(), s));
                return Py.NONE;
            }
        }
    }

    private Object constant(Expr.Constant c) {
        Object v = c.value();
        if (v == Expr.NONE) return Py.NONE;
        if (v == Expr.ELLIPSIS) return Py.Ellipsis.ELLIPSIS;
        if (v instanceof BigInteger) throw rt.raise("OverflowError", "integer literal " + v + " is too large for kc (64-bit)");
        if (v instanceof Integer i) return (long) i;
        return v;
    }

    private Object lookup(Expr.Name n, Scope s) {
        Object v = s.lookup(n.id());
        if (v != null) return v;
        v = rt.builtins.get(n.id());
        if (v != null) return v;
        at(n.pos());
        throw rt.raise("NameError", "name '" + n.id() + "' is not defined");
    }

    Object lookupOrNull(String name, Scope s) {
        Object v = s.lookup(name);
        return v != null ? v : rt.builtins.get(name);
    }

    private String formatted(Expr.FormattedValue f, Scope s) {
        Object v = eval(f.value(), s);
        String spec = f.formatSpec() == null ? "" : rt.str(eval(f.formatSpec(), s));
        at(f.pos());
        if (f.conversion() == 'r' || f.conversion() == 'a') v = rt.repr(v);
        else if (f.conversion() == 's') v = rt.str(v);
        return Builtins.format(rt, v, spec);
    }

    /** A subscript index: slices become Py.Slice (absent parts null), tuples element-wise. */
    private Object evalIndex(Expr idx, Scope s) {
        if (idx instanceof Expr.Slice sl) {
            return new Py.Slice(sliceePart(sl.lower(), s), sliceePart(sl.upper(), s), sliceePart(sl.step(), s));
        }
        if (idx instanceof Expr.Tuple t) {
            List<Object> parts = new ArrayList<>(t.elements().size());
            for (Expr x : t.elements()) {
                if (x instanceof Expr.Starred st) parts.addAll(rt.toList(eval(st.value(), s)));
                else parts.add(evalIndex(x, s));
            }
            return new Py.Tuple(parts);
        }
        return eval(idx, s);
    }

    private Object sliceePart(Expr e, Scope s) {
        if (e == null) return null;
        Object v = eval(e, s);
        return v == Py.NONE ? null : v;
    }

    private List<Object> evalElements(List<Expr> elements, Scope s) {
        List<Object> out = new ArrayList<>(elements.size());
        for (Expr x : elements) {
            if (x instanceof Expr.Starred st) out.addAll(rt.toList(eval(st.value(), s)));
            else out.add(eval(x, s));
        }
        return out;
    }

    private Object evalCall(Expr.Call c, Scope s) {
        Object f = eval(c.func(), s);
        List<Object> args = evalElements(c.args(), s);
        Map<String, Object> kwargs = Map.of();
        if (!c.keywords().isEmpty()) {
            kwargs = new LinkedHashMap<>();
            for (Expr.Keyword k : c.keywords()) {
                if (k.name() == null) {
                    Object d = eval(k.value(), s);
                    if (!(d instanceof Py.PyDict dict)) throw rt.raise("TypeError", "argument after ** must be a mapping, not " + rt.typeName(d));
                    for (var e : dict.items.entrySet()) {
                        if (!(e.getKey() instanceof String key)) throw rt.raise("TypeError", "keywords must be strings");
                        if (kwargs.put(key, e.getValue()) != null) throw rt.raise("TypeError", "got multiple values for keyword argument '" + key + "'");
                    }
                } else if (kwargs.put(k.name(), eval(k.value(), s)) != null) {
                    throw rt.raise("TypeError", "got multiple values for keyword argument '" + k.name() + "'");
                }
            }
        }
        at(c.pos());
        return rt.call(f, args, kwargs);
    }

    private Object comprehension(Expr.Comprehension c, Scope s) {
        List<Object> out = new ArrayList<>();
        Scope cs = Scope.comprehension(s);
        clauses(c.clauses(), 0, cs, () -> out.add(eval(c.element(), cs)));
        return switch (c.kind()) {
            case LIST -> new Py.PyList(out);
            case SET -> {
                List<Object> keys = new ArrayList<>();
                for (Object o : out) keys.add(rt.hashKey(o));
                yield new PyObjects.PySet(keys);
            }
            case GENERATOR -> PyObjects.PyIterator.of(out);
        };
    }

    private void clauses(List<Expr.ForClause> clauses, int k, Scope cs, Runnable body) {
        if (k == clauses.size()) {
            body.run();
            return;
        }
        Expr.ForClause fc = clauses.get(k);
        // The first iterable is evaluated in the enclosing scope, as in Python.
        Object iterable = eval(fc.iter(), k == 0 && cs.enclosing != null ? cs.enclosing : cs);
        Iterator<Object> it = rt.iterate(iterable);
        outer:
        while (it.hasNext()) {
            assign(fc.target(), it.next(), cs);
            for (Expr cond : fc.conditions()) if (!rt.truthy(eval(cond, cs))) continue outer;
            clauses(clauses, k + 1, cs, body);
        }
    }
}
