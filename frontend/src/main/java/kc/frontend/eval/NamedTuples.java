package kc.frontend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * collections.namedtuple: a class whose instances hold their fields as attributes and behave as sequences
 * (indexing, iteration, len, unpacking, ==), e.g. for a forward that returns named outputs.
 */
final class NamedTuples {
    private NamedTuples() {}

    static final String FIELDS = "_fields";

    static NativeFunction factory() {
        return new NativeFunction("collections.namedtuple", (ctx, a, kw) -> {
            PyRuntime rt = (PyRuntime) ctx;
            String name = rt.str(Builtins.arg(a, kw, 0, "typename", null));
            Object spec = Builtins.arg(a, kw, 1, "field_names", null);
            List<Object> names = new ArrayList<>();
            if (spec instanceof String s) for (String f : s.replace(',', ' ').trim().split("\\s+")) names.add(f);
            else names.addAll(rt.toList(spec));
            List<Object> defaults = kw.containsKey("defaults") ? rt.toList(kw.get("defaults")) : List.of();
            return make(name, names, defaults);
        });
    }

    private static PyClass make(String name, List<Object> names, List<Object> defaults) {
        LinkedHashMap<String, Object> dict = new LinkedHashMap<>();
        dict.put(FIELDS, new Py.Tuple(names));
        PyClass cls = new PyClass(name, List.of(Types.OBJECT), dict, new SourceUnit("<namedtuple>", false));
        def(dict, name, "__init__", (ctx, a, kw) -> {
            PyRuntime rt = (PyRuntime) ctx;
            PyInstance self = (PyInstance) a.get(0);
            int n = names.size(), firstDefault = n - defaults.size();
            if (a.size() - 1 > n) throw rt.raise("TypeError", name + "() takes " + n + " positional arguments but " + (a.size() - 1) + " were given");
            for (int i = 0; i < n; i++) {
                String f = (String) names.get(i);
                Object v = i + 1 < a.size() ? a.get(i + 1) : kw.containsKey(f) ? kw.get(f)
                        : i >= firstDefault ? defaults.get(i - firstDefault) : null;
                if (v == null) throw rt.raise("TypeError", name + "() missing 1 required positional argument: '" + f + "'");
                self.dict.put(f, v);
            }
            return Py.NONE;
        });
        def(dict, name, "__getitem__", (ctx, a, kw) -> ((PyRuntime) ctx).getItem(values(a.get(0), names), a.get(1)));
        def(dict, name, "__iter__", (ctx, a, kw) -> PyObjects.PyIterator.of(values(a.get(0), names).items()));
        def(dict, name, "__len__", (ctx, a, kw) -> (long) names.size());
        def(dict, name, "__eq__", (ctx, a, kw) -> a.get(1) instanceof PyInstance o && o.cls.dict.get(FIELDS) != null
                && ((PyRuntime) ctx).pyEquals(values(a.get(0), names), values(o, (List<Object>) ((Py.Tuple) o.cls.dict.get(FIELDS)).items())));
        def(dict, name, "__repr__", (ctx, a, kw) -> {
            StringBuilder sb = new StringBuilder(name).append('(');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(names.get(i)).append('=').append(ctx.repr(((PyInstance) a.get(0)).dict.get((String) names.get(i))));
            }
            return sb.append(')').toString();
        });
        def(dict, name, "_asdict", (ctx, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            for (Object f : names) d.items.put(f, ((PyInstance) a.get(0)).dict.get((String) f));
            return d;
        });
        def(dict, name, "_replace", (ctx, a, kw) -> {
            PyInstance copy = new PyInstance(cls, false);
            copy.dict.putAll(((PyInstance) a.get(0)).dict);
            copy.dict.putAll(kw);
            return copy;
        });
        return cls;
    }

    private static void def(Map<String, Object> dict, String cls, String name, Builtin impl) {
        dict.put(name, new NativeFunction(cls + "." + name, impl));
    }

    /** The fields of a namedtuple instance as a tuple. */
    static Py.Tuple values(Object self, List<Object> names) {
        List<Object> out = new ArrayList<>(names.size());
        for (Object f : names) out.add(((PyInstance) self).dict.get((String) f));
        return new Py.Tuple(out);
    }

    /** The fields as a tuple when v is a namedtuple instance, else null (forward may return one). */
    static Py.Tuple asTuple(Object v) {
        if (v instanceof PyInstance i && i.cls.lookup(FIELDS) instanceof Py.Tuple names) return values(i, names.items());
        return null;
    }
}
