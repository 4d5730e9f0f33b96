package kc.frontend.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import kc.frontend.ast.Expr.BinOpKind;
import kc.frontend.eval.PyObjects.PySet;

/**
 * Methods of the built-in types str, list, tuple, dict, set, int and float, installed as NativeFunctions in the
 * type dicts so that both {@code xs.append(1)} and {@code list.append(xs, 1)} work.
 */
final class Methods {
    private Methods() {}

    private static PyRuntime rt(CallContext ctx) { return (PyRuntime) ctx; }

    private static void def(PyClass cls, String name, Builtin impl) {
        cls.dict.put(name, new NativeFunction(cls.name + "." + name, impl));
    }

    static void install() { /* the static initializer does the work; this makes sure it ran */ }

    static {
        installStr();
        installList();
        installTuple();
        installDict();
        installSet();
        def(Types.INT, "bit_length", (c, a, kw) -> 64L - Long.numberOfLeadingZeros(Math.abs(Operators.asLong(a.get(0)))));
        def(Types.INT, "__index__", (c, a, kw) -> Operators.asLong(a.get(0)));
        def(Types.FLOAT, "is_integer", (c, a, kw) -> {
            double d = (Double) a.get(0);
            return !Double.isInfinite(d) && d == Math.rint(d);
        });
        def(Types.FLOAT, "hex", (c, a, kw) -> Double.toHexString((Double) a.get(0)));
        Types.DICT.dict.put("fromkeys", new PyObjects.ClassMethod(new NativeFunction("dict.fromkeys", (c, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            Object v = a.size() > 2 ? a.get(2) : Py.NONE;
            for (Object k : rt(c).toList(a.get(1))) d.items.put(rt(c).hashKey(k), v);
            return d;
        })));
    }

    private static String s(List<Object> a, int i) { return (String) a.get(i); }

    private static void installStr() {
        PyClass t = Types.STR;
        def(t, "join", (c, a, kw) -> {
            StringBuilder sb = new StringBuilder();
            boolean first = true;
            for (Object o : rt(c).toList(a.get(1))) {
                if (!(o instanceof String str)) throw rt(c).raise("TypeError", "sequence item: expected str instance, " + rt(c).typeName(o) + " found");
                if (!first) sb.append(s(a, 0));
                sb.append(str);
                first = false;
            }
            return sb.toString();
        });
        def(t, "format", (c, a, kw) -> strFormat(rt(c), s(a, 0), a.subList(1, a.size()), kw));
        def(t, "upper", (c, a, kw) -> s(a, 0).toUpperCase());
        def(t, "lower", (c, a, kw) -> s(a, 0).toLowerCase());
        def(t, "capitalize", (c, a, kw) -> s(a, 0).isEmpty() ? "" : s(a, 0).substring(0, 1).toUpperCase() + s(a, 0).substring(1).toLowerCase());
        def(t, "title", (c, a, kw) -> {
            StringBuilder sb = new StringBuilder();
            boolean prevLetter = false;
            for (char ch : s(a, 0).toCharArray()) {
                sb.append(prevLetter ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
                prevLetter = Character.isLetter(ch);
            }
            return sb.toString();
        });
        def(t, "strip", (c, a, kw) -> strip(s(a, 0), a.size() > 1 ? a.get(1) : Py.NONE, true, true));
        def(t, "lstrip", (c, a, kw) -> strip(s(a, 0), a.size() > 1 ? a.get(1) : Py.NONE, true, false));
        def(t, "rstrip", (c, a, kw) -> strip(s(a, 0), a.size() > 1 ? a.get(1) : Py.NONE, false, true));
        def(t, "startswith", (c, a, kw) -> affix(rt(c), s(a, 0), a.get(1), true));
        def(t, "endswith", (c, a, kw) -> affix(rt(c), s(a, 0), a.get(1), false));
        def(t, "replace", (c, a, kw) -> s(a, 0).replace(s(a, 1), s(a, 2)));
        def(t, "find", (c, a, kw) -> (long) s(a, 0).indexOf(s(a, 1)));
        def(t, "rfind", (c, a, kw) -> (long) s(a, 0).lastIndexOf(s(a, 1)));
        def(t, "index", (c, a, kw) -> {
            int i = s(a, 0).indexOf(s(a, 1));
            if (i < 0) throw rt(c).raise("ValueError", "substring not found");
            return (long) i;
        });
        def(t, "count", (c, a, kw) -> {
            String str = s(a, 0), sub = s(a, 1);
            if (sub.isEmpty()) return (long) str.length() + 1;
            long n = 0;
            for (int i = str.indexOf(sub); i >= 0; i = str.indexOf(sub, i + sub.length())) n++;
            return n;
        });
        def(t, "split", (c, a, kw) -> split(s(a, 0), Builtins.arg(a, kw, 1, "sep", Py.NONE), Builtins.arg(a, kw, 2, "maxsplit", -1L)));
        def(t, "splitlines", (c, a, kw) -> {
            List<Object> out = new ArrayList<>(List.of((Object[]) s(a, 0).split("\r?\n|\r")));
            if (!out.isEmpty() && out.get(out.size() - 1).equals("")) out.remove(out.size() - 1);
            return new Py.PyList(out);
        });
        def(t, "partition", (c, a, kw) -> {
            String str = s(a, 0), sep = s(a, 1);
            int i = str.indexOf(sep);
            return i < 0 ? Py.Tuple.of(str, "", "") : Py.Tuple.of(str.substring(0, i), sep, str.substring(i + sep.length()));
        });
        def(t, "isdigit", (c, a, kw) -> !s(a, 0).isEmpty() && s(a, 0).chars().allMatch(Character::isDigit));
        def(t, "isnumeric", (c, a, kw) -> !s(a, 0).isEmpty() && s(a, 0).chars().allMatch(Character::isDigit));
        def(t, "isalpha", (c, a, kw) -> !s(a, 0).isEmpty() && s(a, 0).chars().allMatch(Character::isLetter));
        def(t, "isalnum", (c, a, kw) -> !s(a, 0).isEmpty() && s(a, 0).chars().allMatch(Character::isLetterOrDigit));
        def(t, "isidentifier", (c, a, kw) -> s(a, 0).matches("[A-Za-z_][A-Za-z0-9_]*"));
        def(t, "isupper", (c, a, kw) -> s(a, 0).chars().anyMatch(Character::isLetter) && s(a, 0).equals(s(a, 0).toUpperCase()));
        def(t, "islower", (c, a, kw) -> s(a, 0).chars().anyMatch(Character::isLetter) && s(a, 0).equals(s(a, 0).toLowerCase()));
        def(t, "isspace", (c, a, kw) -> !s(a, 0).isEmpty() && s(a, 0).isBlank());
        def(t, "zfill", (c, a, kw) -> {
            String str = s(a, 0);
            int w = (int) Operators.asLong(a.get(1));
            if (str.length() >= w) return str;
            boolean sign = str.startsWith("-") || str.startsWith("+");
            return (sign ? str.substring(0, 1) : "") + "0".repeat(w - str.length()) + (sign ? str.substring(1) : str);
        });
        def(t, "center", (c, a, kw) -> {
            String str = s(a, 0);
            int width = (int) Operators.asLong(a.get(1)), pad = width - str.length();
            if (pad <= 0) return str;
            int left = pad / 2 + (pad & width & 1); // CPython's str.center (format's '^' rounds the other way)
            return fill(a).repeat(left) + str + fill(a).repeat(pad - left);
        });
        def(t, "ljust", (c, a, kw) -> Formatting.format(s(a, 0), fill(a) + "<" + a.get(1), rt(c)::str));
        def(t, "rjust", (c, a, kw) -> Formatting.format(s(a, 0), fill(a) + ">" + a.get(1), rt(c)::str));
        def(t, "encode", (c, a, kw) -> s(a, 0));
        def(t, "casefold", (c, a, kw) -> s(a, 0).toLowerCase());
    }

    private static String fill(List<Object> a) { return a.size() > 2 ? s(a, 2) : " "; }

    private static String strip(String s, Object chars, boolean left, boolean right) {
        String set = chars == Py.NONE ? null : (String) chars;
        int b = 0, e = s.length();
        if (left) while (b < e && (set == null ? Character.isWhitespace(s.charAt(b)) : set.indexOf(s.charAt(b)) >= 0)) b++;
        if (right) while (e > b && (set == null ? Character.isWhitespace(s.charAt(e - 1)) : set.indexOf(s.charAt(e - 1)) >= 0)) e--;
        return s.substring(b, e);
    }

    private static boolean affix(PyRuntime r, String s, Object what, boolean prefix) {
        if (what instanceof Py.Tuple t) {
            for (Object o : t.items()) if (affix(r, s, o, prefix)) return true;
            return false;
        }
        if (!(what instanceof String w)) throw r.raise("TypeError", "startswith first arg must be str or a tuple of str");
        return prefix ? s.startsWith(w) : s.endsWith(w);
    }

    private static Py.PyList split(String s, Object sep, Object maxsplit) {
        long max = Operators.asLong(maxsplit);
        List<Object> out = new ArrayList<>();
        if (sep == Py.NONE) {
            String rest = s.stripLeading();
            while (!rest.isEmpty()) {
                if (max >= 0 && out.size() == max) { out.add(rest); return new Py.PyList(out); }
                int i = 0;
                while (i < rest.length() && !Character.isWhitespace(rest.charAt(i))) i++;
                out.add(rest.substring(0, i));
                rest = rest.substring(i).stripLeading();
            }
            return new Py.PyList(out);
        }
        String d = (String) sep;
        int from = 0;
        while (true) {
            int i = s.indexOf(d, from);
            if (i < 0 || (max >= 0 && out.size() == max)) break;
            out.add(s.substring(from, i));
            from = i + d.length();
        }
        out.add(s.substring(from));
        return new Py.PyList(out);
    }

    /** str.format(template, *args, **kwargs). */
    static String strFormat(PyRuntime r, String template, List<Object> args, Map<String, Object> kwargs) {
        try {
            return Formatting.strFormat(template, new Formatting.FieldResolver() {
                @Override public Object field(String name, int autoIndex) {
                    if (name.isEmpty()) {
                        if (autoIndex >= args.size()) throw r.raise("IndexError", "Replacement index " + autoIndex + " out of range for positional args tuple");
                        return args.get(autoIndex);
                    }
                    if (Character.isDigit(name.charAt(0))) {
                        int k = Integer.parseInt(name);
                        if (k >= args.size()) throw r.raise("IndexError", "Replacement index " + k + " out of range for positional args tuple");
                        return args.get(k);
                    }
                    Object v = kwargs.get(name);
                    if (v == null) throw r.raise("KeyError", Formatting.strRepr(name));
                    return v;
                }
                @Override public Object attr(Object value, String attr) { return r.getAttr(value, attr); }
                @Override public Object item(Object value, Object key) { return r.getItem(value, key); }
                @Override public String convert(Object value, char conversion, String spec) {
                    if (conversion == 'r' || conversion == 'a') value = r.repr(value);
                    else if (conversion == 's') value = r.str(value);
                    return Builtins.format(r, value, spec);
                }
            });
        } catch (IllegalArgumentException e) {
            throw r.raise("ValueError", e.getMessage());
        }
    }

    private static Py.PyList list(List<Object> a) { return (Py.PyList) a.get(0); }

    private static void installList() {
        PyClass t = Types.LIST;
        def(t, "append", (c, a, kw) -> { list(a).items.add(a.get(1)); return Py.NONE; });
        def(t, "extend", (c, a, kw) -> { list(a).items.addAll(rt(c).toList(a.get(1))); return Py.NONE; });
        def(t, "insert", (c, a, kw) -> {
            List<Object> items = list(a).items;
            long i = Operators.asLong(a.get(1));
            if (i < 0) i = Math.max(0, i + items.size());
            items.add((int) Math.min(i, items.size()), a.get(2));
            return Py.NONE;
        });
        def(t, "pop", (c, a, kw) -> {
            List<Object> items = list(a).items;
            if (items.isEmpty()) throw rt(c).raise("IndexError", "pop from empty list");
            long i = a.size() > 1 ? rt(c).index(a.get(1), items.size(), "pop") : items.size() - 1;
            return items.remove((int) i);
        });
        def(t, "remove", (c, a, kw) -> {
            List<Object> items = list(a).items;
            for (int i = 0; i < items.size(); i++)
                if (rt(c).pyEquals(items.get(i), a.get(1))) { items.remove(i); return Py.NONE; }
            throw rt(c).raise("ValueError", "list.remove(x): x not in list");
        });
        def(t, "index", (c, a, kw) -> indexOf(rt(c), list(a).items, a.get(1)));
        def(t, "count", (c, a, kw) -> count(rt(c), list(a).items, a.get(1)));
        def(t, "copy", (c, a, kw) -> new Py.PyList(list(a).items));
        def(t, "clear", (c, a, kw) -> { list(a).items.clear(); return Py.NONE; });
        def(t, "reverse", (c, a, kw) -> { Collections.reverse(list(a).items); return Py.NONE; });
        def(t, "sort", (c, a, kw) -> {
            sort(rt(c), list(a).items, kw.getOrDefault("key", Py.NONE), c.truthy(kw.getOrDefault("reverse", false)));
            return Py.NONE;
        });
    }

    private static void installTuple() {
        def(Types.TUPLE, "index", (c, a, kw) -> indexOf(rt(c), ((Py.Tuple) a.get(0)).items(), a.get(1)));
        def(Types.TUPLE, "count", (c, a, kw) -> count(rt(c), ((Py.Tuple) a.get(0)).items(), a.get(1)));
    }

    private static long indexOf(PyRuntime r, List<Object> items, Object x) {
        for (int i = 0; i < items.size(); i++) if (r.pyEquals(items.get(i), x)) return i;
        throw r.raise("ValueError", r.repr(x) + " is not in list");
    }

    private static long count(PyRuntime r, List<Object> items, Object x) {
        long n = 0;
        for (Object o : items) if (r.pyEquals(o, x)) n++;
        return n;
    }

    /** Stable sort by key (or the items), Python ordering. */
    static void sort(PyRuntime r, List<Object> items, Object key, boolean reverse) {
        List<Object[]> keyed = new ArrayList<>(items.size());
        for (Object o : items) keyed.add(new Object[] {key == Py.NONE ? o : r.call(key, o), o});
        Comparator<Object[]> cmp = (x, y) -> r.orderOf(x[0], y[0]);
        if (reverse) cmp = cmp.reversed();
        keyed.sort(cmp);
        items.clear();
        for (Object[] k : keyed) items.add(k[1]);
    }

    private static Py.PyDict dict(List<Object> a) { return (Py.PyDict) a.get(0); }

    private static void installDict() {
        PyClass t = Types.DICT;
        def(t, "keys", (c, a, kw) -> new Py.PyList(new ArrayList<>(dict(a).items.keySet())));
        def(t, "values", (c, a, kw) -> new Py.PyList(new ArrayList<>(dict(a).items.values())));
        def(t, "items", (c, a, kw) -> {
            List<Object> out = new ArrayList<>(dict(a).items.size());
            for (var e : dict(a).items.entrySet()) out.add(Py.Tuple.of(e.getKey(), e.getValue()));
            return new Py.PyList(out);
        });
        def(t, "get", (c, a, kw) -> {
            Object v = dict(a).items.get(rt(c).hashKey(a.get(1)));
            return v != null ? v : a.size() > 2 ? a.get(2) : Py.NONE;
        });
        def(t, "pop", (c, a, kw) -> {
            Object v = dict(a).items.remove(rt(c).hashKey(a.get(1)));
            if (v != null) return v;
            if (a.size() > 2) return a.get(2);
            throw rt(c).raise("KeyError", rt(c).repr(a.get(1)));
        });
        def(t, "popitem", (c, a, kw) -> {
            var items = dict(a).items;
            if (items.isEmpty()) throw rt(c).raise("KeyError", "'popitem(): dictionary is empty'");
            var last = items.lastEntry();
            items.remove(last.getKey());
            return Py.Tuple.of(last.getKey(), last.getValue());
        });
        def(t, "setdefault", (c, a, kw) -> {
            Object key = rt(c).hashKey(a.get(1));
            Object v = dict(a).items.get(key);
            if (v != null) return v;
            Object d = a.size() > 2 ? a.get(2) : Py.NONE;
            dict(a).items.put(key, d);
            return d;
        });
        def(t, "update", (c, a, kw) -> {
            if (a.size() > 1) dictUpdate(rt(c), dict(a), a.get(1));
            dict(a).items.putAll(kw);
            return Py.NONE;
        });
        def(t, "copy", (c, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            d.items.putAll(dict(a).items);
            return d;
        });
        def(t, "clear", (c, a, kw) -> { dict(a).items.clear(); return Py.NONE; });
    }

    /** dict.update(other): a mapping or an iterable of key/value pairs. */
    static void dictUpdate(PyRuntime r, Py.PyDict d, Object other) {
        if (other instanceof Py.PyDict o) {
            d.items.putAll(o.items);
            return;
        }
        if (other instanceof PyInstance i && i.cls.lookup("keys") != null) {
            for (Object k : r.toList(r.call(r.getAttr(i, "keys")))) d.items.put(r.hashKey(k), r.getItem(i, k));
            return;
        }
        for (Object pair : r.toList(other)) {
            List<Object> kv = r.toList(pair);
            if (kv.size() != 2) throw r.raise("ValueError", "dictionary update sequence element has length " + kv.size() + "; 2 is required");
            d.items.put(r.hashKey(kv.get(0)), kv.get(1));
        }
    }

    private static PySet set(List<Object> a) { return (PySet) a.get(0); }

    private static void installSet() {
        PyClass t = Types.SET;
        def(t, "add", (c, a, kw) -> { set(a).items.add(rt(c).hashKey(a.get(1))); return Py.NONE; });
        def(t, "update", (c, a, kw) -> {
            for (Object o : a.subList(1, a.size())) for (Object x : rt(c).toList(o)) set(a).items.add(rt(c).hashKey(x));
            return Py.NONE;
        });
        def(t, "discard", (c, a, kw) -> { set(a).items.remove(rt(c).hashKey(a.get(1))); return Py.NONE; });
        def(t, "remove", (c, a, kw) -> {
            if (!set(a).items.remove(rt(c).hashKey(a.get(1)))) throw rt(c).raise("KeyError", rt(c).repr(a.get(1)));
            return Py.NONE;
        });
        def(t, "pop", (c, a, kw) -> {
            var it = set(a).items.iterator();
            if (!it.hasNext()) throw rt(c).raise("KeyError", "'pop from an empty set'");
            Object v = it.next();
            it.remove();
            return v;
        });
        def(t, "copy", (c, a, kw) -> new PySet(set(a).items));
        def(t, "clear", (c, a, kw) -> { set(a).items.clear(); return Py.NONE; });
        def(t, "union", (c, a, kw) -> setOp(BinOpKind.BITOR, set(a), toSet(rt(c), a.get(1))));
        def(t, "intersection", (c, a, kw) -> setOp(BinOpKind.BITAND, set(a), toSet(rt(c), a.get(1))));
        def(t, "difference", (c, a, kw) -> setOp(BinOpKind.SUB, set(a), toSet(rt(c), a.get(1))));
        def(t, "symmetric_difference", (c, a, kw) -> setOp(BinOpKind.BITXOR, set(a), toSet(rt(c), a.get(1))));
        def(t, "issubset", (c, a, kw) -> toSet(rt(c), a.get(1)).items.containsAll(set(a).items));
        def(t, "issuperset", (c, a, kw) -> set(a).items.containsAll(toSet(rt(c), a.get(1)).items));
        def(t, "isdisjoint", (c, a, kw) -> Collections.disjoint(set(a).items, toSet(rt(c), a.get(1)).items));
    }

    private static PySet toSet(PyRuntime r, Object v) {
        if (v instanceof PySet s) return s;
        List<Object> keys = new ArrayList<>();
        for (Object o : r.toList(v)) keys.add(r.hashKey(o));
        return new PySet(keys);
    }

    /** Set algebra for | & - ^; null for other operators. */
    static Object setOp(BinOpKind op, PySet a, PySet b) {
        LinkedHashSet<Object> out = new LinkedHashSet<>(a.items);
        switch (op) {
            case BITOR -> out.addAll(b.items);
            case BITAND -> out.retainAll(b.items);
            case SUB -> out.removeAll(b.items);
            case BITXOR -> {
                for (Object o : b.items) if (!out.remove(o)) out.add(o);
            }
            default -> { return null; }
        }
        return new PySet(new ArrayList<>(out));
    }
}
