package kc.frontend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataclasses module as configuration classes use it: @dataclass (bare or with options) generates
 * __init__, __repr__ and __eq__ from the annotated class attributes; field(default=..., default_factory=...).
 */
final class Dataclasses {
    private Dataclasses() {}

    /** Marks a field without a default in __dataclass_fields__. */
    private static final Object REQUIRED = new Object();

    /** What field(...) returns: a default value or a factory (null when absent). */
    record Field(Object defaultValue, Object factory) {}

    static void install(PyRuntime rt) {
        Map<String, Object> m = rt.module("dataclasses").dict();
        m.put("dataclass", new NativeFunction("dataclasses.dataclass", (ctx, a, kw) -> {
            if (a.size() == 1 && a.get(0) instanceof PyClass cls) return decorate((PyRuntime) ctx, cls);
            return new NativeFunction("dataclasses.dataclass", (c2, a2, kw2) -> decorate((PyRuntime) c2, (PyClass) a2.get(0)));
        }));
        m.put("field", new NativeFunction("dataclasses.field", (ctx, a, kw) ->
                new Field(kw.get("default"), kw.get("default_factory"))));
        m.put("fields", new NativeFunction("dataclasses.fields", (ctx, a, kw) -> {
            PyClass cls = a.get(0) instanceof PyClass c ? c : Types.classOf(a.get(0));
            return new Py.Tuple(new ArrayList<>(fields(cls).keySet()));
        }));
        m.put("asdict", new NativeFunction("dataclasses.asdict", (ctx, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            for (String f : fields(Types.classOf(a.get(0))).keySet()) d.items.put(f, ctx.getAttr(a.get(0), f));
            return d;
        }));
    }

    /** Field name to its default (a value, a Field, or null when required), bases first as dataclasses do. */
    private static LinkedHashMap<String, Object> fields(PyClass cls) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        List<PyClass> order = new ArrayList<>(cls.mro);
        java.util.Collections.reverse(order);
        for (PyClass c : order) {
            if (c.dict.get("__dataclass_fields__") instanceof Py.PyDict done) { // a decorated base keeps its fields
                for (var e : done.items.entrySet()) out.put((String) e.getKey(), e.getValue() == REQUIRED ? null : e.getValue());
                continue;
            }
            if (!(c.dict.get("__annotations__") instanceof Py.PyDict ann)) continue;
            for (Object name : ann.items.keySet()) {
                Object dflt = c.dict.get((String) name);
                out.put((String) name, dflt instanceof PyFunction ? null : dflt);
            }
        }
        return out;
    }

    private static PyClass decorate(PyRuntime rt, PyClass cls) {
        if (cls.source == null) throw rt.raise("TypeError", "dataclass() should be applied to a class");
        LinkedHashMap<String, Object> fields = fields(cls);
        Py.PyDict record = new Py.PyDict();
        for (var e : fields.entrySet()) record.items.put(e.getKey(), e.getValue() == null ? REQUIRED : e.getValue());
        cls.dict.put("__dataclass_fields__", record);
        for (var e : fields.entrySet()) // class attributes that are Fields become plain defaults on instances
            if (e.getValue() instanceof Field f && f.defaultValue() != null) cls.dict.put(e.getKey(), f.defaultValue());
            else if (e.getValue() instanceof Field) cls.dict.remove(e.getKey());
        cls.dict.put("__init__", new NativeFunction(cls.name + ".__init__", (ctx, a, kw) -> {
            PyRuntime r = (PyRuntime) ctx;
            Object self = a.get(0);
            List<String> names = new ArrayList<>(fields.keySet());
            if (a.size() - 1 > names.size())
                throw r.raise("TypeError", cls.name + ".__init__() takes " + (names.size() + 1) + " positional arguments but " + a.size() + " were given");
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Object v = i + 1 < a.size() ? a.get(i + 1) : kw.get(name);
                if (v == null) {
                    Object d = fields.get(name);
                    if (d instanceof Field f) v = f.factory() != null ? r.call(f.factory(), List.of(), Map.of()) : f.defaultValue();
                    else v = d;
                }
                if (v == null) throw r.raise("TypeError", cls.name + ".__init__() missing 1 required positional argument: '" + name + "'");
                r.setAttr(self, name, v);
            }
            for (String k : kw.keySet())
                if (!fields.containsKey(k)) throw r.raise("TypeError", cls.name + ".__init__() got an unexpected keyword argument '" + k + "'");
            Object post = r.findAttr(self, "__post_init__");
            if (post != null) r.call(post, List.of(), Map.of());
            return Py.NONE;
        }));
        if (!cls.dict.containsKey("__repr__"))
            cls.dict.put("__repr__", new NativeFunction(cls.name + ".__repr__", (ctx, a, kw) -> {
                StringBuilder sb = new StringBuilder(cls.name).append('(');
                boolean first = true;
                for (String f : fields.keySet()) {
                    if (!first) sb.append(", ");
                    sb.append(f).append('=').append(ctx.repr(ctx.getAttr(a.get(0), f)));
                    first = false;
                }
                return sb.append(')').toString();
            }));
        if (!cls.dict.containsKey("__eq__"))
            cls.dict.put("__eq__", new NativeFunction(cls.name + ".__eq__", (ctx, a, kw) -> {
                if (Types.classOf(a.get(1)) != Types.classOf(a.get(0))) return Types.NotImplemented.NOT_IMPLEMENTED;
                for (String f : fields.keySet())
                    if (!((PyRuntime) ctx).pyEquals(ctx.getAttr(a.get(0), f), ctx.getAttr(a.get(1), f))) return false;
                return true;
            }));
        return cls;
    }
}
