package kc.frontend.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import kc.frontend.ast.Expr.BinOpKind;
import kc.frontend.eval.PyObjects.PyIterator;

/**
 * The parts of Python's standard library that model files use on plain values: math, typing, collections
 * (OrderedDict, namedtuple, abc), itertools, functools, numbers, warnings, operator, copy, dataclasses, and inert
 * sys/os. Installed as module objects before the torch library's native modules (which may extend or replace
 * members, e.g. math). Anything else (random, time, dataclasses' rarer parts...) is an import error naming it.
 */
final class StdModules {
    private StdModules() {}

    private static PyRuntime rt(CallContext ctx) { return (PyRuntime) ctx; }

    static void install(PyRuntime rt) {
        installMath(rt.module("math").dict());
        installTyping(rt.module("typing").dict());
        installTyping(rt.module("typing_extensions").dict());
        Map<String, Object> abc = rt.module("collections.abc").dict();
        abc.put("Iterable", Types.ITERABLE);
        abc.put("Sequence", Types.SEQUENCE);
        abc.put("Mapping", Types.MAPPING);
        abc.put("Callable", Types.CALLABLE);
        Map<String, Object> collections = rt.module("collections").dict();
        collections.put("OrderedDict", Types.DICT);
        collections.put("defaultdict", new NativeFunction("collections.defaultdict", (ctx, a, kw) -> {
            throw ctx.error("unsupported: collections.defaultdict");
        }));
        collections.put("namedtuple", NamedTuples.factory());
        Map<String, Object> numbers = rt.module("numbers").dict();
        numbers.put("Number", Types.NUMBER);
        numbers.put("Real", Types.REAL);
        numbers.put("Integral", Types.INTEGRAL);
        installItertools(rt.module("itertools").dict());
        installFunctools(rt.module("functools").dict());
        rt.module("warnings").dict().put("warn", new NativeFunction("warnings.warn", (ctx, a, kw) -> {
            PyRuntime r = rt(ctx);
            r.warnings.add(r.userFile + ":" + r.userPos + ": warning: " + r.str(Builtins.arg(a, kw, 0, "message", "")));
            return Py.NONE;
        }));
        rt.module("warnings").dict().put("filterwarnings", new NativeFunction("warnings.filterwarnings", (ctx, a, kw) -> Py.NONE));
        rt.module("warnings").dict().put("simplefilter", new NativeFunction("warnings.simplefilter", (ctx, a, kw) -> Py.NONE));
        installOperator(rt.module("operator").dict());
        installSysAndOs(rt);
        Dataclasses.install(rt);
        Map<String, Object> copy = rt.module("copy").dict();
        copy.put("copy", new NativeFunction("copy.copy", (ctx, a, kw) -> shallowCopy(rt(ctx), a.get(0))));
        copy.put("deepcopy", new NativeFunction("copy.deepcopy", (ctx, a, kw) ->
                deepCopy(rt(ctx), a.get(0), new IdentityHashMap<>())));
    }

    /**
     * sys and os as far as model files touch them without affecting the model: output streams whose writes are
     * dropped (like print), version and size constants, and an empty environment (the graph must not depend on
     * the machine it is compiled on).
     */
    private static void installSysAndOs(PyRuntime rt) {
        PyClass streamType = PyClass.builtin("TextIOWrapper", List.of(Types.OBJECT));
        streamType.dict.put("write", new NativeFunction("TextIOWrapper.write", (ctx, a, kw) -> (long) rt(ctx).str(a.get(1)).length()));
        streamType.dict.put("flush", new NativeFunction("TextIOWrapper.flush", (ctx, a, kw) -> Py.NONE));
        Map<String, Object> sys = rt.module("sys").dict();
        sys.put("stdout", new PyInstance(streamType, false));
        sys.put("stderr", new PyInstance(streamType, false));
        sys.put("maxsize", Long.MAX_VALUE);
        sys.put("version_info", Py.Tuple.of(3L, 11L, 0L, "final", 0L));
        sys.put("platform", "linux");
        sys.put("argv", new Py.PyList(List.of(rt.userFile)));
        sys.put("path", new Py.PyList(List.of()));
        put(sys, "sys", "getrecursionlimit", (ctx, a, kw) -> 1000L);
        put(sys, "sys", "setrecursionlimit", (ctx, a, kw) -> Py.NONE);
        Map<String, Object> os = rt.module("os").dict();
        os.put("environ", new Py.PyDict());
        os.put("sep", "/");
        put(os, "os", "getenv", (ctx, a, kw) -> Builtins.arg(a, kw, 1, "default", Py.NONE));
        Map<String, Object> path = rt.module("os.path").dict();
        put(path, "os.path", "join", (ctx, a, kw) -> {
            StringBuilder sb = new StringBuilder();
            for (Object o : a) {
                String part = rt(ctx).str(o);
                if (part.startsWith("/")) sb.setLength(0);
                else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') sb.append('/');
                sb.append(part);
            }
            return sb.toString();
        });
        put(path, "os.path", "basename", (ctx, a, kw) -> {
            String p = rt(ctx).str(a.get(0));
            return p.substring(p.lastIndexOf('/') + 1);
        });
        put(path, "os.path", "dirname", (ctx, a, kw) -> {
            String p = rt(ctx).str(a.get(0));
            return p.lastIndexOf('/') < 0 ? "" : p.substring(0, p.lastIndexOf('/'));
        });
    }

    private static Object shallowCopy(PyRuntime r, Object v) {
        if (v instanceof Py.PyList l) return new Py.PyList(l.items);
        if (v instanceof Py.PyDict d) {
            Py.PyDict c = new Py.PyDict();
            c.items.putAll(d.items);
            return c;
        }
        if (v instanceof PyObjects.PySet s) return new PyObjects.PySet(s.items);
        if (v instanceof PyInstance) throw r.error("unsupported: copy.copy of " + r.typeName(v));
        return v;
    }

    /**
     * copy.deepcopy: containers, instances (nn.Modules with their parameters, buffers and submodules) and tensors are
     * copied, each object once (memo: shared and cyclic references stay shared in the copy); functions, classes,
     * modules and immutable values are atomic, as in Python. A copied tensor gets a value of its own (an identity
     * view of the original), so a copied module's parameters are state_dict entries of their own, not tied to the
     * original's: PyTorch's _get_clones (TransformerEncoder's layers) and the Annotated Transformer's clones.
     */
    private static Object deepCopy(PyRuntime r, Object v, IdentityHashMap<Object, Object> memo) {
        if (v == null || v == Py.NONE || v instanceof String || v instanceof Number || v instanceof Boolean) return v;
        Object done = memo.get(v);
        if (done != null) return done;
        if (v instanceof Py.PyList l) {
            Py.PyList c = new Py.PyList(new ArrayList<>());
            memo.put(v, c);
            for (Object o : l.items) c.items.add(deepCopy(r, o, memo));
            return c;
        }
        if (v instanceof Py.Tuple t) {
            List<Object> items = new ArrayList<>();
            for (Object o : t.items()) items.add(deepCopy(r, o, memo));
            Py.Tuple c = new Py.Tuple(items);
            memo.put(v, c);
            return c;
        }
        if (v instanceof Py.PyDict d) {
            Py.PyDict c = new Py.PyDict();
            memo.put(v, c);
            copyEntries(r, d, c, memo);
            return c;
        }
        if (v instanceof PyObjects.PySet s) {
            PyObjects.PySet c = new PyObjects.PySet(s.items);
            memo.put(v, c);
            return c;
        }
        if (v instanceof kc.frontend.torch.ComplexTensor)
            throw r.error("unsupported: copy.deepcopy of a complex tensor");
        if (v instanceof kc.frontend.torch.Tensor t) {
            Object c = r.torch.deepCopy(r, t);
            memo.put(v, c);
            return c;
        }
        if (v instanceof PyObjects.BoundMethod m && m.self() instanceof PyInstance)
            return new PyObjects.BoundMethod(deepCopy(r, m.self(), memo), m.function());
        if (v instanceof PyInstance i) {
            if (i.cls.lookup("__deepcopy__") != null || i.cls.lookup("__reduce_ex__") instanceof PyFunction
                    || i.cls.lookup("__reduce__") instanceof PyFunction)
                throw r.error("unsupported: copy.deepcopy of " + r.typeName(v) + ", which defines its own copying");
            PyInstance c = new PyInstance(i.cls, i.module != null);
            memo.put(v, c);
            for (var e : i.dict.entrySet()) c.dict.put(e.getKey(), deepCopy(r, e.getValue(), memo));
            if (i.module != null) {
                copyEntries(r, i.module.parameters, c.module.parameters, memo);
                copyEntries(r, i.module.buffers, c.module.buffers, memo);
                copyEntries(r, i.module.modules, c.module.modules, memo);
                c.module.nonPersistentBuffers.addAll(i.module.nonPersistentBuffers);
                for (var e : i.module.hooks.entrySet()) {
                    Py.PyDict hooks = new Py.PyDict();
                    copyEntries(r, e.getValue(), hooks, memo);
                    c.module.hooks.put(e.getKey(), hooks);
                }
                c.module.hookSites.putAll(i.module.hookSites);
            }
            return c;
        }
        return v; // functions, classes, modules, dtypes, ranges...: atomic
    }

    private static void copyEntries(PyRuntime r, Py.PyDict from, Py.PyDict to, IdentityHashMap<Object, Object> memo) {
        for (var e : from.items.entrySet()) to.items.put(deepCopy(r, e.getKey(), memo), deepCopy(r, e.getValue(), memo));
    }

    private static void put(Map<String, Object> m, String module, String name, Builtin impl) {
        m.put(name, new NativeFunction(module + "." + name, impl));
    }

    private static double d(PyRuntime r, Object v) {
        if (Operators.isNumber(v)) return Operators.asDouble(v);
        if (v instanceof kc.frontend.torch.Tensor) {
            Object item = r.call(r.getAttr(v, "item"), List.of(), Map.of());
            if (Operators.isNumber(item)) return Operators.asDouble(item);
        }
        throw r.raise("TypeError", "must be real number, not " + r.typeName(v));
    }

    private static void unary(Map<String, Object> m, String name, DoubleUnaryOperator f) {
        put(m, "math", name, (ctx, a, kw) -> {
            double x = d(rt(ctx), a.get(0));
            double y = f.applyAsDouble(x);
            if (Double.isNaN(y) && !Double.isNaN(x)) throw rt(ctx).raise("ValueError", "math domain error");
            return y;
        });
    }

    private static void installMath(LinkedHashMap<String, Object> m) {
        m.put("pi", Math.PI);
        m.put("e", Math.E);
        m.put("tau", 2 * Math.PI);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("nan", Double.NaN);
        unary(m, "sqrt", Math::sqrt);
        unary(m, "exp", Math::exp);
        unary(m, "expm1", Math::expm1);
        unary(m, "log2", x -> Math.log(x) / Math.log(2));
        unary(m, "log10", Math::log10);
        unary(m, "log1p", Math::log1p);
        unary(m, "sin", Math::sin);
        unary(m, "cos", Math::cos);
        unary(m, "tan", Math::tan);
        unary(m, "asin", Math::asin);
        unary(m, "acos", Math::acos);
        unary(m, "atan", Math::atan);
        unary(m, "sinh", Math::sinh);
        unary(m, "cosh", Math::cosh);
        unary(m, "tanh", Math::tanh);
        unary(m, "fabs", Math::abs);
        unary(m, "degrees", Math::toDegrees);
        unary(m, "radians", Math::toRadians);
        unary(m, "erf", StdModules::erf);
        unary(m, "erfc", x -> 1 - erf(x));
        unary(m, "gamma", x -> Math.exp(lgamma(x)) * (x < 0 && Math.floor(-x) % 2 == 0 ? -1 : 1));
        unary(m, "lgamma", StdModules::lgamma);
        put(m, "math", "log", (ctx, a, kw) -> {
            double x = d(rt(ctx), a.get(0));
            if (x <= 0) throw rt(ctx).raise("ValueError", "math domain error");
            return a.size() > 1 ? Math.log(x) / Math.log(d(rt(ctx), a.get(1))) : Math.log(x);
        });
        put(m, "math", "pow", (ctx, a, kw) -> Math.pow(d(rt(ctx), a.get(0)), d(rt(ctx), a.get(1))));
        put(m, "math", "atan2", (ctx, a, kw) -> Math.atan2(d(rt(ctx), a.get(0)), d(rt(ctx), a.get(1))));
        put(m, "math", "hypot", (ctx, a, kw) -> {
            double s = 0;
            for (Object o : a) s += d(rt(ctx), o) * d(rt(ctx), o);
            return Math.sqrt(s);
        });
        put(m, "math", "floor", (ctx, a, kw) -> Operators.isIntLike(a.get(0)) ? Operators.asLong(a.get(0)) : toLong(rt(ctx), Math.floor(d(rt(ctx), a.get(0)))));
        put(m, "math", "ceil", (ctx, a, kw) -> Operators.isIntLike(a.get(0)) ? Operators.asLong(a.get(0)) : toLong(rt(ctx), Math.ceil(d(rt(ctx), a.get(0)))));
        put(m, "math", "trunc", (ctx, a, kw) -> Operators.isIntLike(a.get(0)) ? Operators.asLong(a.get(0)) : toLong(rt(ctx), d(rt(ctx), a.get(0))));
        put(m, "math", "isfinite", (ctx, a, kw) -> Double.isFinite(d(rt(ctx), a.get(0))));
        put(m, "math", "isinf", (ctx, a, kw) -> Double.isInfinite(d(rt(ctx), a.get(0))));
        put(m, "math", "isnan", (ctx, a, kw) -> Double.isNaN(d(rt(ctx), a.get(0))));
        put(m, "math", "copysign", (ctx, a, kw) -> Math.copySign(d(rt(ctx), a.get(0)), d(rt(ctx), a.get(1))));
        put(m, "math", "fmod", (ctx, a, kw) -> d(rt(ctx), a.get(0)) % d(rt(ctx), a.get(1)));
        put(m, "math", "isclose", (ctx, a, kw) -> {
            double x = d(rt(ctx), a.get(0)), y = d(rt(ctx), a.get(1));
            double rel = d(rt(ctx), kw.getOrDefault("rel_tol", 1e-9)), abs = d(rt(ctx), kw.getOrDefault("abs_tol", 0.0));
            return x == y || Math.abs(x - y) <= Math.max(rel * Math.max(Math.abs(x), Math.abs(y)), abs);
        });
        put(m, "math", "gcd", (ctx, a, kw) -> {
            long g = 0;
            for (Object o : a) g = gcd(g, Math.abs(Builtins.intArg(rt(ctx), o, "gcd")));
            return g;
        });
        put(m, "math", "lcm", (ctx, a, kw) -> {
            long l = 1;
            for (Object o : a) {
                long v = Math.abs(Builtins.intArg(rt(ctx), o, "lcm"));
                if (v == 0) return 0L;
                l = l / gcd(l, v) * v;
            }
            return l;
        });
        put(m, "math", "isqrt", (ctx, a, kw) -> {
            long n = Builtins.intArg(rt(ctx), a.get(0), "isqrt");
            if (n < 0) throw rt(ctx).raise("ValueError", "isqrt() argument must be nonnegative");
            long r = (long) Math.sqrt((double) n);
            while (r * r > n) r--;
            while ((r + 1) * (r + 1) <= n) r++;
            return r;
        });
        put(m, "math", "factorial", (ctx, a, kw) -> {
            long n = Builtins.intArg(rt(ctx), a.get(0), "factorial"), f = 1;
            if (n < 0) throw rt(ctx).raise("ValueError", "factorial() not defined for negative values");
            for (long k = 2; k <= n; k++) f = Math.multiplyExact(f, k);
            return f;
        });
        put(m, "math", "comb", (ctx, a, kw) -> {
            long n = Builtins.intArg(rt(ctx), a.get(0), "comb"), k = Builtins.intArg(rt(ctx), a.get(1), "comb");
            if (k < 0 || k > n) return 0L;
            long c = 1;
            for (long i = 1; i <= Math.min(k, n - k); i++) c = c * (n - i + 1) / i;
            return c;
        });
        put(m, "math", "prod", (ctx, a, kw) -> {
            Object acc = kw.getOrDefault("start", 1L);
            for (Object o : rt(ctx).toList(a.get(0))) acc = rt(ctx).binary(BinOpKind.MUL, acc, o);
            return acc;
        });
        put(m, "math", "fsum", (ctx, a, kw) -> {
            double s = 0;
            for (Object o : rt(ctx).toList(a.get(0))) s += d(rt(ctx), o);
            return s;
        });
    }

    private static long toLong(PyRuntime r, double v) {
        if (Double.isNaN(v)) throw r.raise("ValueError", "cannot convert float NaN to integer");
        if (Double.isInfinite(v)) throw r.raise("OverflowError", "cannot convert float infinity to integer");
        return (long) v;
    }

    private static long gcd(long a, long b) { return b == 0 ? a : gcd(b, a % b); }

    /** erf with a maximum error of about 1e-15 (series near 0, continued fraction via erfc beyond). */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double sum = 0, term = ax;
            for (int n = 0; n < 100; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
                term *= -ax * ax / (n + 1);
            }
            return Math.copySign(2 / Math.sqrt(Math.PI) * sum, x);
        }
        if (ax > 6) return Math.copySign(1.0, x);
        // Lentz's continued fraction for erfc.
        double f = 0;
        for (int k = 60; k >= 1; k--) f = k / 2.0 / (ax + f);
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        return Math.copySign(1 - erfc, x);
    }

    /** log|Gamma(x)| by the Lanczos approximation. */
    static double lgamma(double x) {
        if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
        x -= 1;
        double a = g[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += g[i] / (x + i);
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }

    private static void installTyping(LinkedHashMap<String, Object> m) {
        for (String name : List.of("Any", "Optional", "Union", "List", "Tuple", "Dict", "Set", "FrozenSet", "Callable",
                "Iterable", "Iterator", "Sequence", "Mapping", "Type", "Generic", "Protocol", "ClassVar", "Final",
                "Literal", "NamedTuple", "TypeVar", "Annotated", "NoReturn", "Generator", "MutableMapping",
                "MutableSequence", "Hashable", "Sized", "SupportsInt", "SupportsFloat", "Text", "AnyStr"))
            m.put(name, new PyObjects.TypingForm(name));
        m.put("TYPE_CHECKING", Boolean.FALSE);
        put(m, "typing", "cast", (ctx, a, kw) -> a.get(1));
        m.put("TypeVar", new NativeFunction("typing.TypeVar", (ctx, a, kw) -> new PyObjects.TypingForm(String.valueOf(a.get(0)))));
        put(m, "typing", "overload", (ctx, a, kw) -> a.get(0));
        put(m, "typing", "final", (ctx, a, kw) -> a.get(0));
        put(m, "typing", "no_type_check", (ctx, a, kw) -> a.get(0));
    }

    private static void installItertools(Map<String, Object> m) {
        put(m, "itertools", "repeat", (ctx, a, kw) -> {
            Object times = Builtins.arg(a, kw, 1, "times", Py.NONE);
            if (times == Py.NONE) throw ctx.error("unsupported: itertools.repeat without a count (infinite iterator)");
            return PyIterator.of(Collections.nCopies((int) Math.max(0, Builtins.intArg(rt(ctx), times, "repeat")), a.get(0)));
        });
        put(m, "itertools", "chain", (ctx, a, kw) -> {
            List<Object> out = new ArrayList<>();
            for (Object it : a) out.addAll(rt(ctx).toList(it));
            return PyIterator.of(out);
        });
        put(m, "itertools", "product", (ctx, a, kw) -> {
            List<List<Object>> pools = new ArrayList<>();
            long rep = Builtins.intArg(rt(ctx), kw.getOrDefault("repeat", 1L), "product");
            for (long r = 0; r < rep; r++) for (Object it : a) pools.add(rt(ctx).toList(it));
            List<List<Object>> result = new ArrayList<>();
            result.add(List.of());
            for (List<Object> pool : pools) {
                List<List<Object>> next = new ArrayList<>();
                for (List<Object> prefix : result) for (Object o : pool) {
                    List<Object> t = new ArrayList<>(prefix);
                    t.add(o);
                    next.add(t);
                }
                result = next;
            }
            List<Object> out = new ArrayList<>();
            for (List<Object> t : result) out.add(new Py.Tuple(t));
            return PyIterator.of(out);
        });
        put(m, "itertools", "accumulate", (ctx, a, kw) -> {
            Object f = Builtins.arg(a, kw, 1, "func", Py.NONE);
            List<Object> out = new ArrayList<>();
            Object acc = kw.containsKey("initial") ? kw.get("initial") : null;
            if (acc != null) out.add(acc);
            for (Object o : rt(ctx).toList(a.get(0))) {
                acc = acc == null ? o : f == Py.NONE ? rt(ctx).binary(BinOpKind.ADD, acc, o) : ctx.call(f, List.of(acc, o), Map.of());
                out.add(acc);
            }
            return PyIterator.of(out);
        });
        put(m, "itertools", "islice", (ctx, a, kw) -> {
            List<Object> items = rt(ctx).toList(a.get(0));
            Py.Slice s = a.size() == 2 ? new Py.Slice(null, noneToNull(a.get(1)), null)
                    : new Py.Slice(noneToNull(a.get(1)), noneToNull(a.get(2)), a.size() > 3 ? noneToNull(a.get(3)) : null);
            List<Object> out = new ArrayList<>();
            for (long k : rt(ctx).sliceIndices(s, items.size())) out.add(items.get((int) k));
            return PyIterator.of(out);
        });
        put(m, "itertools", "combinations", (ctx, a, kw) -> {
            List<Object> pool = rt(ctx).toList(a.get(0));
            int r = (int) Builtins.intArg(rt(ctx), a.get(1), "combinations");
            List<Object> out = new ArrayList<>();
            combinations(pool, r, 0, new ArrayList<>(), out);
            return PyIterator.of(out);
        });
        put(m, "itertools", "zip_longest", (ctx, a, kw) -> {
            List<List<Object>> lists = new ArrayList<>();
            int n = 0;
            for (Object it : a) {
                lists.add(rt(ctx).toList(it));
                n = Math.max(n, lists.get(lists.size() - 1).size());
            }
            Object fill = kw.getOrDefault("fillvalue", Py.NONE);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Object> t = new ArrayList<>();
                for (List<Object> l : lists) t.add(i < l.size() ? l.get(i) : fill);
                out.add(new Py.Tuple(t));
            }
            return PyIterator.of(out);
        });
    }

    private static Object noneToNull(Object v) { return v == Py.NONE ? null : v; }

    private static void combinations(List<Object> pool, int r, int start, List<Object> cur, List<Object> out) {
        if (cur.size() == r) {
            out.add(new Py.Tuple(cur));
            return;
        }
        for (int i = start; i < pool.size(); i++) {
            cur.add(pool.get(i));
            combinations(pool, r, i + 1, cur, out);
            cur.remove(cur.size() - 1);
        }
    }

    private static void installFunctools(Map<String, Object> m) {
        put(m, "functools", "reduce", (ctx, a, kw) -> {
            Iterator<Object> it = rt(ctx).iterate(a.get(1));
            Object acc;
            if (a.size() > 2) acc = a.get(2);
            else if (it.hasNext()) acc = it.next();
            else throw rt(ctx).raise("TypeError", "reduce() of empty iterable with no initial value");
            while (it.hasNext()) acc = ctx.call(a.get(0), List.of(acc, it.next()), Map.of());
            return acc;
        });
        put(m, "functools", "partial", (ctx, a, kw) -> {
            Object f = a.get(0);
            List<Object> bound = new ArrayList<>(a.subList(1, a.size()));
            Map<String, Object> boundKw = new LinkedHashMap<>(kw);
            return new NativeFunction("functools.partial", (c2, a2, kw2) -> {
                List<Object> args = new ArrayList<>(bound);
                args.addAll(a2);
                Map<String, Object> kws = new LinkedHashMap<>(boundKw);
                kws.putAll(kw2);
                return c2.call(f, args, kws);
            });
        });
        // Decorators that only matter for speed or metadata are the identity here.
        for (String name : List.of("lru_cache", "cache", "wraps", "total_ordering", "cached_property")) {
            put(m, "functools", name, (ctx, a, kw) -> {
                if (a.size() == 1 && Types.isCallableValue(a.get(0)) && !name.equals("wraps")) return a.get(0);
                return new NativeFunction("functools." + name, (c2, a2, kw2) -> a2.get(0));
            });
        }
    }

    private static void installOperator(Map<String, Object> m) {
        for (BinOpKind op : BinOpKind.values()) {
            String name = switch (op) {
                case DIV -> "truediv";
                case BITAND -> "and_";
                case BITOR -> "or_";
                default -> PyRuntime.dunderName(op);
            };
            put(m, "operator", name, (ctx, a, kw) -> rt(ctx).binary(op, a.get(0), a.get(1)));
        }
        put(m, "operator", "neg", (ctx, a, kw) -> rt(ctx).unary(kc.frontend.ast.Expr.UnaryOpKind.NEG, a.get(0)));
        put(m, "operator", "getitem", (ctx, a, kw) -> rt(ctx).getItem(a.get(0), a.get(1)));
        put(m, "operator", "itemgetter", (ctx, a, kw) -> new NativeFunction("operator.itemgetter", (c2, a2, kw2) -> {
            if (a.size() == 1) return rt(c2).getItem(a2.get(0), a.get(0));
            List<Object> out = new ArrayList<>();
            for (Object k : a) out.add(rt(c2).getItem(a2.get(0), k));
            return new Py.Tuple(out);
        }));
        put(m, "operator", "attrgetter", (ctx, a, kw) -> new NativeFunction("operator.attrgetter", (c2, a2, kw2) -> {
            Object v = a2.get(0);
            for (String part : ((String) a.get(0)).split("\\.")) v = c2.getAttr(v, part);
            return v;
        }));
    }
}
