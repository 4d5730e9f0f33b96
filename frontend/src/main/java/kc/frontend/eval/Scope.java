package kc.frontend.eval;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Python namespace during execution: module globals, a function call's locals, a class body or a
 * comprehension. Names resolve dynamically through {@link #enclosing} (function scopes that lexically contain
 * this one; class bodies are skipped, as in Python), then the module globals, then the builtins. Closures capture
 * the defining scope by reference, which gives Python's cell semantics for reads and nonlocal writes.
 */
final class Scope {
    enum Kind { MODULE, FUNCTION, CLASS_BODY, COMPREHENSION }

    final Kind kind;
    final Map<String, Object> vars;
    /** The lexically enclosing function/comprehension scope, or null when the next step is the globals. */
    final Scope enclosing;
    /** The module scope (this for a module scope). */
    final Scope globals;
    /** The function being executed (FUNCTION scopes only): super() needs its class and first argument. */
    PyFunction function;
    /** Prefix of the qualified names of functions and classes defined here ("Conv2d.", "f.<locals>."). */
    String qualPrefix = "";
    /** Values yielded so far when the function is a generator (run eagerly), else null. */
    List<Object> yieldSink;
    private Set<String> globalNames;
    private Set<String> nonlocalNames;

    private Scope(Kind kind, Map<String, Object> vars, Scope enclosing, Scope globals) {
        this.kind = kind;
        this.vars = vars;
        this.enclosing = enclosing;
        this.globals = globals == null ? this : globals;
    }

    static Scope module(Map<String, Object> dict) { return new Scope(Kind.MODULE, dict, null, null); }

    static Scope function(Scope closure, Scope globals, PyFunction fn) {
        Scope s = new Scope(Kind.FUNCTION, new HashMap<>(), closure, globals);
        s.function = fn;
        return s;
    }

    static Scope classBody(Scope outer, Map<String, Object> dict) {
        return new Scope(Kind.CLASS_BODY, dict, outer.closureForNested(), outer.globals);
    }

    static Scope comprehension(Scope outer) {
        return new Scope(Kind.COMPREHENSION, new HashMap<>(), outer.kind == Kind.MODULE ? null : outer, outer.globals);
    }

    /** The scope a function or class defined here closes over: class bodies are not visible to nested code. */
    Scope closureForNested() {
        return switch (kind) {
            case MODULE -> null;
            case CLASS_BODY -> enclosing;
            default -> this;
        };
    }

    void declareGlobal(String name) {
        if (globalNames == null) globalNames = new HashSet<>();
        globalNames.add(name);
    }

    void declareNonlocal(String name) {
        if (nonlocalNames == null) nonlocalNames = new HashSet<>();
        nonlocalNames.add(name);
    }

    boolean isGlobal(String name) { return globalNames != null && globalNames.contains(name); }

    /** Looks a name up through this scope, the enclosing scopes and the globals; null when unbound. */
    Object lookup(String name) {
        if (isGlobal(name)) return globals.vars.get(name);
        for (Scope s = this; s != null; s = s.enclosing) {
            Object v = s.vars.get(name);
            if (v != null) return v;
            if (s.kind == Kind.MODULE) return null;
        }
        return globals.vars.get(name);
    }

    /** Binds a name in the scope Python would bind it in (honouring global and nonlocal declarations). */
    void assign(String name, Object value) {
        target(name).vars.put(name, value);
    }

    /** Removes a binding; false when the name was not bound. */
    boolean delete(String name) {
        return target(name).vars.remove(name) != null;
    }

    private Scope target(String name) {
        if (kind == Kind.MODULE) return this;
        if (isGlobal(name)) return globals;
        if (nonlocalNames != null && nonlocalNames.contains(name)) {
            for (Scope s = enclosing; s != null; s = s.enclosing)
                if (s.kind != Kind.MODULE && s.vars.containsKey(name)) return s;
            return enclosing != null ? enclosing : globals;
        }
        return this;
    }

    /** The function scope a walrus inside a comprehension binds in. */
    Scope walrusTarget() {
        Scope s = this;
        while (s.kind == Kind.COMPREHENSION && s.enclosing != null) s = s.enclosing;
        return s.kind == Kind.COMPREHENSION ? globals : s;
    }

    /** The innermost enclosing function scope (for zero-argument super()), or null. */
    Scope functionScope() {
        for (Scope s = this; s != null; s = s.enclosing) if (s.kind == Kind.FUNCTION) return s;
        return null;
    }
}
