package kc.frontend.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.PyObjects.PyIterator;
import kc.frontend.torch.TensorLike;

/** Python's builtins namespace: functions (len, range, isinstance...), types (int, list...) and exceptions. */
final class Builtins {
    private Builtins() {}

    /** object.__setattr__: plain instance attribute assignment, bypassing nn.Module's registration. */
    static final NativeFunction OBJECT_SETATTR = new NativeFunction("object.__setattr__", (ctx, a, kw) -> {
        if (!(a.get(0) instanceof PyInstance i)) throw rt(ctx).raise("TypeError", "can't apply object.__setattr__ to " + rt(ctx).typeName(a.get(0)));
        i.dict.put(str(ctx, a.get(1)), a.get(2));
        return Py.NONE;
    });

    private static final Map<String, Object> BUILTINS = new LinkedHashMap<>();

    /** The builtins namespace (shared and read-only: builtins are looked up, never assigned). */
    static Map<String, Object> namespace() { return BUILTINS; }

    static PyRuntime rt(CallContext ctx) { return (PyRuntime) ctx; }

    private static String str(CallContext ctx, Object v) {
        if (v instanceof String s) return s;
        throw rt(ctx).raise("TypeError", "attribute name must be string, not '" + rt(ctx).typeName(v) + "'");
    }

    private static void fn(String name, Builtin impl) { BUILTINS.put(name, new NativeFunction(name, impl)); }

    private static void type(PyClass cls, Builtin constructor) {
        cls.nativeConstructor = constructor;
        BUILTINS.put(cls.name, cls);
    }

    static Object arg(List<Object> a, Map<String, Object> kw, int i, String name, Object dflt) {
        if (i < a.size()) return a.get(i);
        Object v = kw.get(name);
        return v != null ? v : dflt;
    }

    static {
        Methods.install();
        Types.OBJECT.dict.put("__init__", new NativeFunction("object.__init__", (ctx, a, kw) -> Py.NONE));
        Types.OBJECT.dict.put("__setattr__", OBJECT_SETATTR);
        Types.OBJECT.dict.put("__new__", new PyObjects.StaticMethod(new NativeFunction("object.__new__",
                (ctx, a, kw) -> {
                    PyInstance i = new PyInstance((PyClass) a.get(0), ((PyClass) a.get(0)).isSubclassOf(NnModule.MODULE));
                    if (i.module != null) i.dict.put("training", Boolean.TRUE);
                    return i;
                })));
        Types.OBJECT.dict.put("__getattribute__", new NativeFunction("object.__getattribute__",
                (ctx, a, kw) -> ctx.getAttr(a.get(0), str(ctx, a.get(1)))));
        Types.OBJECT.dict.put("__delattr__", new NativeFunction("object.__delattr__", (ctx, a, kw) -> {
            rt(ctx).delAttr(a.get(0), str(ctx, a.get(1)));
            return Py.NONE;
        }));
        Types.BASE_EXCEPTION.dict.put("__init__", new NativeFunction("BaseException.__init__", (ctx, a, kw) -> {
            ((PyInstance) a.get(0)).dict.put("args", new Py.Tuple(a.subList(1, a.size())));
            return Py.NONE;
        }));

        type(Types.OBJECT, (ctx, a, kw) -> new PyInstance(Types.OBJECT, false));
        type(Types.INT, Builtins::toInt);
        type(Types.FLOAT, Builtins::toFloat);
        type(Types.BOOL, (ctx, a, kw) -> !a.isEmpty() && ctx.truthy(a.get(0)));
        type(Types.STR, (ctx, a, kw) -> a.isEmpty() ? "" : rt(ctx).str(a.get(0)));
        type(Types.LIST, (ctx, a, kw) -> new Py.PyList(a.isEmpty() ? List.of() : rt(ctx).toList(a.get(0))));
        type(Types.TUPLE, (ctx, a, kw) -> a.isEmpty() ? Py.Tuple.of() : a.get(0) instanceof Py.Tuple t ? t : new Py.Tuple(rt(ctx).toList(a.get(0))));
        type(Types.SET, (ctx, a, kw) -> {
            List<Object> keys = new ArrayList<>();
            if (!a.isEmpty()) for (Object o : rt(ctx).toList(a.get(0))) keys.add(rt(ctx).hashKey(o));
            return new PyObjects.PySet(keys);
        });
        BUILTINS.put("frozenset", Types.SET);
        type(Types.DICT, (ctx, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            if (!a.isEmpty()) Methods.dictUpdate(rt(ctx), d, a.get(0));
            for (var e : kw.entrySet()) d.items.put(e.getKey(), e.getValue());
            return d;
        });
        type(Types.TYPE, (ctx, a, kw) -> {
            if (a.size() == 1) return Types.classOf(a.get(0));
            throw ctx.error("unsupported: type() with three arguments");
        });
        type(Types.RANGE, (ctx, a, kw) -> {
            PyRuntime r = rt(ctx);
            long[] v = new long[a.size()];
            for (int i = 0; i < a.size(); i++) v[i] = intArg(r, a.get(i), "range");
            return switch (a.size()) {
                case 1 -> new PyObjects.Range(0, v[0], 1);
                case 2 -> new PyObjects.Range(v[0], v[1], 1);
                case 3 -> {
                    if (v[2] == 0) throw r.raise("ValueError", "range() arg 3 must not be zero");
                    yield new PyObjects.Range(v[0], v[1], v[2]);
                }
                default -> throw r.raise("TypeError", "range expected 1 to 3 arguments, got " + a.size());
            };
        });
        type(Types.SLICE, (ctx, a, kw) -> {
            List<Object> p = new ArrayList<>();
            for (Object o : a) p.add(o == Py.NONE ? null : o);
            return switch (p.size()) {
                case 1 -> new Py.Slice(null, p.get(0), null);
                case 2 -> new Py.Slice(p.get(0), p.get(1), null);
                default -> new Py.Slice(p.get(0), p.get(1), p.get(2));
            };
        });
        type(Types.PROPERTY, (ctx, a, kw) -> new PyObjects.Property(arg(a, kw, 0, "fget", Py.NONE), a.size() > 1 ? a.get(1) : kw.get("fset")));
        type(Types.STATICMETHOD, (ctx, a, kw) -> new PyObjects.StaticMethod(a.get(0)));
        type(Types.CLASSMETHOD, (ctx, a, kw) -> new PyObjects.ClassMethod(a.get(0)));
        type(Types.SUPER, Builtins::superOf);
        for (PyClass exc : Types.EXCEPTIONS.values()) BUILTINS.put(exc.name, exc);
        BUILTINS.put("NotImplemented", Types.NotImplemented.NOT_IMPLEMENTED);
        BUILTINS.put("Ellipsis", Py.Ellipsis.ELLIPSIS);
        BUILTINS.put("__debug__", Boolean.TRUE);

        fn("len", (ctx, a, kw) -> rt(ctx).len(a.get(0)));
        fn("print", (ctx, a, kw) -> Py.NONE);
        fn("repr", (ctx, a, kw) -> ctx.repr(a.get(0)));
        fn("ascii", (ctx, a, kw) -> ctx.repr(a.get(0)));
        fn("format", (ctx, a, kw) -> format(rt(ctx), a.get(0), a.size() > 1 ? (String) a.get(1) : ""));
        fn("isinstance", (ctx, a, kw) -> isInstance(rt(ctx), a.get(0), a.get(1)));
        fn("issubclass", (ctx, a, kw) -> isSubclass(rt(ctx), a.get(0), a.get(1)));
        fn("callable", (ctx, a, kw) -> Types.isCallableValue(a.get(0)));
        fn("id", (ctx, a, kw) -> (long) System.identityHashCode(a.get(0)));
        fn("hash", (ctx, a, kw) -> (long) rt(ctx).hashKey(a.get(0)).hashCode());
        fn("hasattr", (ctx, a, kw) -> {
            try {
                ctx.getAttr(a.get(0), str(ctx, a.get(1)));
                return true;
            } catch (PyRaise e) {
                if (e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("AttributeError"))) return false;
                throw e;
            } catch (kc.frontend.CompileError e) {
                if (a.get(0) instanceof TensorLike) return false; // the library's "no attribute" error for tensors
                throw e;
            }
        });
        fn("getattr", (ctx, a, kw) -> {
            if (a.size() < 3) return ctx.getAttr(a.get(0), str(ctx, a.get(1)));
            try {
                return ctx.getAttr(a.get(0), str(ctx, a.get(1)));
            } catch (PyRaise e) {
                if (e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("AttributeError"))) return a.get(2);
                throw e;
            } catch (kc.frontend.CompileError e) {
                if (a.get(0) instanceof TensorLike) return a.get(2);
                throw e;
            }
        });
        fn("setattr", (ctx, a, kw) -> {
            rt(ctx).setAttr(a.get(0), str(ctx, a.get(1)), a.get(2));
            return Py.NONE;
        });
        fn("delattr", (ctx, a, kw) -> {
            rt(ctx).delAttr(a.get(0), str(ctx, a.get(1)));
            return Py.NONE;
        });
        fn("vars", (ctx, a, kw) -> ctx.getAttr(a.get(0), "__dict__"));
        fn("iter", (ctx, a, kw) -> new PyIterator(rt(ctx).iterate(a.get(0))));
        fn("next", (ctx, a, kw) -> {
            Object it = a.get(0);
            if (it instanceof PyInstance i && i.cls.lookup("__next__") != null) return rt(ctx).dunder(i, "__next__");
            if (!(it instanceof PyIterator pi)) throw rt(ctx).raise("TypeError", "'" + rt(ctx).typeName(it) + "' object is not an iterator");
            if (pi.hasNext()) return pi.next();
            if (a.size() > 1) return a.get(1);
            throw rt(ctx).raise("StopIteration", "");
        });
        fn("enumerate", (ctx, a, kw) -> {
            Iterator<Object> it = rt(ctx).iterate(a.get(0));
            long start = intArg(rt(ctx), arg(a, kw, 1, "start", 0L), "enumerate");
            return new PyIterator(new Iterator<>() {
                long i = start;
                @Override public boolean hasNext() { return it.hasNext(); }
                @Override public Object next() { return Py.Tuple.of(i++, it.next()); }
            });
        });
        fn("zip", (ctx, a, kw) -> {
            List<Iterator<Object>> its = new ArrayList<>();
            for (Object o : a) its.add(rt(ctx).iterate(o));
            return new PyIterator(new Iterator<>() {
                @Override public boolean hasNext() {
                    if (its.isEmpty()) return false;
                    for (Iterator<Object> i : its) if (!i.hasNext()) return false;
                    return true;
                }
                @Override public Object next() {
                    List<Object> t = new ArrayList<>(its.size());
                    for (Iterator<Object> i : its) t.add(i.next());
                    return new Py.Tuple(t);
                }
            });
        });
        fn("map", (ctx, a, kw) -> {
            Object f = a.get(0);
            List<Iterator<Object>> its = new ArrayList<>();
            for (Object o : a.subList(1, a.size())) its.add(rt(ctx).iterate(o));
            return new PyIterator(new Iterator<>() {
                @Override public boolean hasNext() {
                    for (Iterator<Object> i : its) if (!i.hasNext()) return false;
                    return true;
                }
                @Override public Object next() {
                    List<Object> args = new ArrayList<>(its.size());
                    for (Iterator<Object> i : its) args.add(i.next());
                    return ctx.call(f, args, Map.of());
                }
            });
        });
        fn("filter", (ctx, a, kw) -> {
            Object f = a.get(0);
            List<Object> out = new ArrayList<>();
            for (Object o : rt(ctx).toList(a.get(1)))
                if (ctx.truthy(f == Py.NONE ? o : ctx.call(f, List.of(o), Map.of()))) out.add(o);
            return PyIterator.of(out);
        });
        fn("reversed", (ctx, a, kw) -> {
            Object r = rt(ctx).dunder(a.get(0), "__reversed__");
            if (r != null) return r;
            List<Object> items = new ArrayList<>(rt(ctx).toList(a.get(0)));
            Collections.reverse(items);
            return PyIterator.of(items);
        });
        fn("sorted", (ctx, a, kw) -> {
            List<Object> items = new ArrayList<>(rt(ctx).toList(a.get(0)));
            Methods.sort(rt(ctx), items, kw.getOrDefault("key", Py.NONE), ctx.truthy(kw.getOrDefault("reverse", false)));
            return new Py.PyList(items);
        });
        fn("sum", (ctx, a, kw) -> {
            Object acc = arg(a, kw, 1, "start", 0L);
            for (Object o : rt(ctx).toList(a.get(0))) acc = rt(ctx).binary(kc.frontend.ast.Expr.BinOpKind.ADD, acc, o);
            return acc;
        });
        fn("min", (ctx, a, kw) -> extreme(rt(ctx), a, kw, true));
        fn("max", (ctx, a, kw) -> extreme(rt(ctx), a, kw, false));
        fn("any", (ctx, a, kw) -> {
            Iterator<Object> it = rt(ctx).iterate(a.get(0));
            while (it.hasNext()) if (ctx.truthy(it.next())) return true;
            return false;
        });
        fn("all", (ctx, a, kw) -> {
            Iterator<Object> it = rt(ctx).iterate(a.get(0));
            while (it.hasNext()) if (!ctx.truthy(it.next())) return false;
            return true;
        });
        fn("abs", (ctx, a, kw) -> {
            Object v = a.get(0);
            if (v instanceof Double d) return Math.abs(d);
            if (Operators.isIntLike(v)) return Math.abs(Operators.asLong(v));
            if (v instanceof TensorLike) return ctx.call(ctx.getAttr(v, "abs"), List.of(), Map.of());
            Object r = rt(ctx).dunder(v, "__abs__");
            if (r != null) return r;
            throw rt(ctx).raise("TypeError", "bad operand type for abs(): '" + rt(ctx).typeName(v) + "'");
        });
        fn("round", (ctx, a, kw) -> {
            Object v = a.get(0);
            Object nd = arg(a, kw, 1, "ndigits", Py.NONE);
            if (Operators.isIntLike(v)) return Operators.asLong(v);
            if (v instanceof Double d) {
                if (nd == Py.NONE) {
                    if (d.isNaN() || d.isInfinite()) throw rt(ctx).raise("ValueError", "cannot convert float " + Formatting.floatRepr(d) + " to integer");
                    return (long) Math.rint(d);
                }
                if (d.isNaN() || d.isInfinite() || d == 0) return d;
                return new BigDecimal(d).setScale((int) Operators.asLong(nd), RoundingMode.HALF_EVEN).doubleValue();
            }
            if (v instanceof TensorLike) return ctx.call(ctx.getAttr(v, "round"), List.of(), Map.of());
            Object r = rt(ctx).dunder(v, "__round__");
            if (r != null) return r;
            throw rt(ctx).raise("TypeError", "type " + rt(ctx).typeName(v) + " doesn't define __round__ method");
        });
        fn("divmod", (ctx, a, kw) -> Py.Tuple.of(
                rt(ctx).binary(kc.frontend.ast.Expr.BinOpKind.FLOORDIV, a.get(0), a.get(1)),
                rt(ctx).binary(kc.frontend.ast.Expr.BinOpKind.MOD, a.get(0), a.get(1))));
        fn("pow", (ctx, a, kw) -> {
            Object r = rt(ctx).binary(kc.frontend.ast.Expr.BinOpKind.POW, a.get(0), a.get(1));
            return a.size() > 2 ? rt(ctx).binary(kc.frontend.ast.Expr.BinOpKind.MOD, r, a.get(2)) : r;
        });
        fn("chr", (ctx, a, kw) -> String.valueOf((char) Operators.asLong(a.get(0))));
        fn("ord", (ctx, a, kw) -> (long) ((String) a.get(0)).charAt(0));
        fn("bin", (ctx, a, kw) -> Formatting.format(a.get(0), "#b", rt(ctx)::str));
        fn("hex", (ctx, a, kw) -> Formatting.format(a.get(0), "#x", rt(ctx)::str));
        fn("globals", (ctx, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            d.items.putAll(rt(ctx).interp.currentScope.globals.vars);
            return d;
        });
        for (String banned : List.of("open", "input", "exec", "eval", "compile", "__import__", "breakpoint"))
            fn(banned, (ctx, a, kw) -> { throw ctx.error("unsupported: " + banned + "()"); });
    }

    static long intArg(PyRuntime r, Object v, String fn) {
        if (Operators.isIntLike(v)) return Operators.asLong(v);
        if (v instanceof PyInstance i && i.cls.lookup("__index__") != null) return Operators.asLong(r.dunder(i, "__index__"));
        throw r.raise("TypeError", "'" + r.typeName(v) + "' object cannot be interpreted as an integer");
    }

    private static Object toInt(CallContext ctx, List<Object> a, Map<String, Object> kw) {
        PyRuntime r = rt(ctx);
        if (a.isEmpty()) return 0L;
        Object v = a.get(0);
        if (v instanceof Long) return v;
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Double d) {
            try {
                return Operators.truncate(d);
            } catch (Operators.ArithmeticFailure f) {
                throw r.raise(f.pyType, f.getMessage());
            }
        }
        if (v instanceof String s) {
            int base = a.size() > 1 ? (int) Operators.asLong(a.get(1)) : 10;
            try {
                return Long.parseLong(s.strip().replace("_", ""), base);
            } catch (NumberFormatException e) {
                throw r.raise("ValueError", "invalid literal for int() with base " + base + ": " + Formatting.strRepr(s));
            }
        }
        if (v instanceof TensorLike) return toInt(ctx, List.of(item(ctx, v)), kw);
        for (String d : new String[] {"__int__", "__index__"}) {
            Object res = r.dunder(v, d);
            if (res != null) return res;
        }
        throw r.raise("TypeError", "int() argument must be a string, a bytes-like object or a real number, not '" + r.typeName(v) + "'");
    }

    private static Object toFloat(CallContext ctx, List<Object> a, Map<String, Object> kw) {
        PyRuntime r = rt(ctx);
        if (a.isEmpty()) return 0.0;
        Object v = a.get(0);
        if (Operators.isNumber(v)) return Operators.asDouble(v);
        if (v instanceof String s) {
            String t = s.strip().toLowerCase();
            switch (t) {
                case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
                case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
                case "nan", "+nan", "-nan" -> { return Double.NaN; }
                default -> { }
            }
            try {
                return Double.parseDouble(t.replace("_", ""));
            } catch (NumberFormatException e) {
                throw r.raise("ValueError", "could not convert string to float: " + Formatting.strRepr(s));
            }
        }
        if (v instanceof TensorLike) return toFloat(ctx, List.of(item(ctx, v)), kw);
        Object res = r.dunder(v, "__float__");
        if (res != null) return res;
        throw r.raise("TypeError", "float() argument must be a string or a real number, not '" + r.typeName(v) + "'");
    }

    /** tensor.item(): the torch library evaluates it at compile time when it can. */
    private static Object item(CallContext ctx, Object tensor) {
        return ctx.call(ctx.getAttr(tensor, "item"), List.of(), Map.of());
    }

    private static Object superOf(CallContext ctx, List<Object> a, Map<String, Object> kw) {
        PyRuntime r = rt(ctx);
        if (a.size() == 2) {
            if (!(a.get(0) instanceof PyClass c)) throw r.raise("TypeError", "super() argument 1 must be a type");
            return new PyObjects.Super(c, a.get(1));
        }
        if (!a.isEmpty()) throw r.raise("TypeError", "super() takes 0 or 2 arguments");
        Scope fs = r.interp.currentScope == null ? null : r.interp.currentScope.functionScope();
        if (fs == null || fs.function == null || fs.function.definingClass == null || fs.function.params.isEmpty())
            throw r.raise("RuntimeError", "super(): no arguments");
        Object self = fs.vars.get(fs.function.params.get(0).name());
        if (self == null) throw r.raise("RuntimeError", "super(): arg[0] deleted");
        return new PyObjects.Super(fs.function.definingClass, self);
    }

    static boolean isInstance(PyRuntime r, Object v, Object cls) {
        if (cls instanceof Py.Tuple t) {
            for (Object c : t.items()) if (isInstance(r, v, c)) return true;
            return false;
        }
        if (cls instanceof PyClass c) return Types.isInstance(v, c);
        if (cls instanceof PyObjects.TypingForm) return true;
        throw r.raise("TypeError", "isinstance() arg 2 must be a type, a tuple of types, or a union");
    }

    private static boolean isSubclass(PyRuntime r, Object sub, Object cls) {
        if (cls instanceof Py.Tuple t) {
            for (Object c : t.items()) if (isSubclass(r, sub, c)) return true;
            return false;
        }
        if (!(sub instanceof PyClass s)) throw r.raise("TypeError", "issubclass() arg 1 must be a class");
        if (!(cls instanceof PyClass c)) throw r.raise("TypeError", "issubclass() arg 2 must be a class, a tuple of classes, or a union");
        return s.isSubclassOf(c);
    }

    private static Object extreme(PyRuntime r, List<Object> a, Map<String, Object> kw, boolean min) {
        List<Object> items = a.size() == 1 ? r.toList(a.get(0)) : a;
        Object key = kw.getOrDefault("key", Py.NONE);
        if (items.isEmpty()) {
            if (kw.containsKey("default")) return kw.get("default");
            throw r.raise("ValueError", (min ? "min" : "max") + "() arg is an empty sequence");
        }
        Object best = items.get(0);
        Object bestKey = key == Py.NONE ? best : r.call(key, best);
        for (int i = 1; i < items.size(); i++) {
            Object v = items.get(i);
            Object k = key == Py.NONE ? v : r.call(key, v);
            boolean better = r.truthy(r.compare(min ? kc.frontend.ast.Expr.CmpOp.LT : kc.frontend.ast.Expr.CmpOp.GT, k, bestKey));
            if (better) { best = v; bestKey = k; }
        }
        return best;
    }

    /** format(value, spec) with __format__ on user classes. */
    static String format(PyRuntime r, Object v, String spec) {
        if (v instanceof PyInstance i && i.cls.lookup("__format__") != null) return r.str(r.dunder(i, "__format__", spec));
        if (v instanceof TensorLike && !spec.isEmpty()) {
            try {
                v = item(r, v); // a compile-time constant tensor formats as its value
            } catch (kc.frontend.CompileError | PyRaise unknown) {
                return r.str(v); // values known only at run time: messages still render
            }
        }
        try {
            return Formatting.format(v, spec, r::str);
        } catch (Operators.ArithmeticFailure f) {
            throw r.raise(f.pyType, f.getMessage());
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw r.raise("ValueError", "Invalid format specifier '" + spec + "' for object of type '" + r.typeName(v) + "'"
                    + (e.getMessage() != null && e.getMessage().startsWith("Unknown") ? ": " + e.getMessage() : ""));
        }
    }
}
