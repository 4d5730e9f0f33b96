package kc.frontend.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.frontend.eval.PyObjects.PyIterator;
import kc.frontend.torch.ComplexTensor;
import kc.frontend.torch.Tensor;
import kc.frontend.torch.TensorLike;

/**
 * torch.nn.Module as a native class: attribute registration of parameters, buffers and submodules with
 * PyTorch's rules, __call__ -> forward (tracking the module path for node origins), and the introspection
 * methods (parameters, named_modules, state_dict...). Prelude and user classes subclass it.
 */
final class NnModule {
    private NnModule() {}

    static final PyClass MODULE = PyClass.builtin("Module", List.of(Types.OBJECT));

    static final NativeFunction SETATTR = new NativeFunction("Module.__setattr__", (ctx, a, kw) -> {
        setAttr(rt(ctx), self(ctx, a), name(ctx, a.get(1)), a.get(2));
        return Py.NONE;
    });

    /** One state_dict entry: the dotted key, the tensor, and whether it is a buffer. */
    record Entry(String key, Tensor tensor, boolean buffer) {}

    private static PyRuntime rt(CallContext ctx) { return (PyRuntime) ctx; }

    private static PyInstance self(CallContext ctx, List<Object> a) {
        if (!a.isEmpty() && a.get(0) instanceof PyInstance i && i.module != null) return i;
        throw rt(ctx).raise("TypeError", "descriptor requires a 'Module' object");
    }

    private static String name(CallContext ctx, Object v) {
        if (v instanceof String s) return s;
        throw rt(ctx).raise("TypeError", "name should be a string, got " + rt(ctx).typeName(v));
    }

    private static void def(String name, Builtin impl) {
        MODULE.dict.put(name, new NativeFunction("Module." + name, impl));
    }

    /** Where a hook was registered: the forward-hook error names it. */
    record Site(String file, int line, int column) {
        @Override public String toString() { return file + ":" + line + ":" + column; }
    }

    /**
     * torch.utils.hooks.RemovableHandle, what every register_*_hook returns: remove() (or leaving a with block)
     * unregisters the hook; {@code id} as in PyTorch.
     */
    static final PyClass HANDLE = PyClass.builtin("RemovableHandle", List.of(Types.OBJECT));
    private static final java.util.concurrent.atomic.AtomicLong NEXT_HOOK_ID = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The hook registration methods: method name to the module attribute PyTorch keeps the hooks in. kc runs no hook:
     * one that runs outside forward (backward, state_dict, load_state_dict) changes nothing kc computes, so it is
     * accepted; a forward (pre-)hook would change what forward computes, so calling a module that still has one is
     * an error at that call.
     */
    static final Map<String, String> HOOK_METHODS = Map.ofEntries(
            Map.entry("register_forward_hook", "_forward_hooks"),
            Map.entry("register_forward_pre_hook", "_forward_pre_hooks"),
            Map.entry("register_full_backward_hook", "_backward_hooks"),
            Map.entry("register_backward_hook", "_backward_hooks"),
            Map.entry("register_full_backward_pre_hook", "_backward_pre_hooks"),
            Map.entry("_register_state_dict_hook", "_state_dict_hooks"),
            Map.entry("register_state_dict_post_hook", "_state_dict_hooks"),
            Map.entry("register_state_dict_pre_hook", "_state_dict_pre_hooks"),
            Map.entry("_register_load_state_dict_pre_hook", "_load_state_dict_pre_hooks"),
            Map.entry("register_load_state_dict_pre_hook", "_load_state_dict_pre_hooks"),
            Map.entry("register_load_state_dict_post_hook", "_load_state_dict_post_hooks"));

    private static final List<String> FORWARD_HOOKS = List.of("_forward_pre_hooks", "_forward_hooks");

    /** self._forward_hooks and its kin, live (created empty on first use), as PyTorch's OrderedDicts. */
    static Py.PyDict hookDict(PyInstance self, String attr) {
        return self.module.hooks.computeIfAbsent(attr, k -> new Py.PyDict());
    }

    private static Object registerHook(PyRuntime rt, PyInstance self, String attr, Object hook) {
        long id = NEXT_HOOK_ID.getAndIncrement();
        Py.PyDict hooks = hookDict(self, attr);
        hooks.items.put(id, hook);
        self.module.hookSites.put(id, new Site(rt.userFile, rt.userPos.line(), rt.userPos.column()));
        PyInstance handle = new PyInstance(HANDLE, false);
        handle.dict.put("id", id);
        handle.dict.put("hooks_dict_ref", hooks);
        return handle;
    }

    private static PyInstance handle(CallContext ctx, List<Object> a) {
        if (!a.isEmpty() && a.get(0) instanceof PyInstance i && i.cls == HANDLE) return i;
        throw rt(ctx).raise("TypeError", "descriptor requires a 'RemovableHandle' object");
    }

    private static void removeHook(PyInstance handle) {
        if (handle.dict.get("hooks_dict_ref") instanceof Py.PyDict hooks) hooks.items.remove(handle.dict.get("id"));
    }

    /**
     * Calling a module runs its forward pre-hooks and forward hooks in PyTorch; kc does not run hooks, so a module
     * that still has one is an error at the call (for the model itself, whose call is kc's, at the registration).
     */
    private static void refuseForwardHooks(PyRuntime rt, PyInstance self) {
        for (String attr : FORWARD_HOOKS) {
            Py.PyDict hooks = self.module.hooks.get(attr);
            if (hooks == null || hooks.items.isEmpty()) continue;
            Object id = hooks.items.keySet().iterator().next();
            Site site = self.module.hookSites.get(id);
            String kind = attr.equals("_forward_hooks") ? "forward hook" : "forward pre-hook";
            String what = "unsupported: a " + kind + " on " + self.cls.name;
            String tail = "; kc does not run hooks (remove it with its handle's .remove() before the forward runs)";
            if ("".equals(rt.modulePaths.get(self)) && site != null)
                throw new kc.frontend.CompileError(site.file(), site.line(), site.column(),
                        what + " is registered here and would run when the model is called" + tail);
            throw rt.error(what + (site == null ? "" : " (registered at " + site + ")") + " would run at this call" + tail);
        }
    }

    private static final List<String> RETURN_SELF = List.of("to", "cuda", "cpu", "float", "type", "share_memory",
            "requires_grad_", "to_empty");
    private static final List<String> DTYPE_CHANGING = List.of("half", "double", "bfloat16");

    static {
        HANDLE.dict.put("__module__", "torch.utils.hooks");
        HANDLE.dict.put("remove", new NativeFunction("RemovableHandle.remove", (ctx, a, kw) -> {
            removeHook(handle(ctx, a));
            return Py.NONE;
        }));
        HANDLE.dict.put("__enter__", new NativeFunction("RemovableHandle.__enter__", (ctx, a, kw) -> handle(ctx, a)));
        HANDLE.dict.put("__exit__", new NativeFunction("RemovableHandle.__exit__", (ctx, a, kw) -> {
            removeHook(handle(ctx, a));
            return Py.NONE;
        }));
        for (var e : HOOK_METHODS.entrySet()) {
            String attr = e.getValue();
            def(e.getKey(), (ctx, a, kw) -> {
                Object hook = Builtins.arg(a, kw, 1, "hook", null);
                if (hook == null) throw rt(ctx).raise("TypeError", e.getKey() + "() missing 1 required positional argument: 'hook'");
                return registerHook(rt(ctx), self(ctx, a), attr, hook);
            });
        }
        MODULE.dict.put("__module__", "torch.nn.modules.module");
        def("__init__", (ctx, a, kw) -> Py.NONE);
        MODULE.dict.put("__setattr__", SETATTR);
        def("__getattr__", (ctx, a, kw) -> {
            throw rt(ctx).raise("AttributeError", "'" + self(ctx, a).cls.name + "' object has no attribute '" + name(ctx, a.get(1)) + "'");
        });
        def("__delattr__", (ctx, a, kw) -> {
            rt(ctx).delAttr(self(ctx, a), name(ctx, a.get(1)));
            return Py.NONE;
        });
        def("__call__", (ctx, a, kw) -> callModule(rt(ctx), self(ctx, a), a.subList(1, a.size()), kw));
        def("forward", (ctx, a, kw) -> {
            throw ctx.error("Module [" + self(ctx, a).cls.name + "] is missing the required \"forward\" function");
        });
        def("__repr__", (ctx, a, kw) -> self(ctx, a).cls.name + "()");
        def("extra_repr", (ctx, a, kw) -> "");
        def("_get_name", (ctx, a, kw) -> self(ctx, a).cls.name);
        def("register_buffer", (ctx, a, kw) -> {
            registerBuffer(rt(ctx), self(ctx, a), name(ctx, Builtins.arg(a, kw, 1, "name", null)),
                    Builtins.arg(a, kw, 2, "tensor", Py.NONE), ctx.truthy(Builtins.arg(a, kw, 3, "persistent", true)));
            return Py.NONE;
        });
        def("register_parameter", (ctx, a, kw) -> {
            registerParameter(rt(ctx), self(ctx, a), name(ctx, Builtins.arg(a, kw, 1, "name", null)), Builtins.arg(a, kw, 2, "param", Py.NONE));
            return Py.NONE;
        });
        Builtin addModule = (ctx, a, kw) -> {
            PyInstance self = self(ctx, a);
            String name = name(ctx, Builtins.arg(a, kw, 1, "name", null));
            Object m = Builtins.arg(a, kw, 2, "module", Py.NONE);
            if (m != Py.NONE && !(m instanceof PyInstance mi && mi.module != null))
                throw rt(ctx).raise("TypeError", rt(ctx).typeName(m) + " is not a Module subclass");
            checkName(rt(ctx), name, "module");
            if (self.dict.containsKey(name) && !self.module.modules.items.containsKey(name))
                throw rt(ctx).raise("KeyError", "attribute '" + name + "' already exists");
            self.module.modules.items.put(name, m);
            return Py.NONE;
        };
        def("add_module", addModule);
        def("register_module", addModule);
        def("get_submodule", (ctx, a, kw) -> {
            Object m = self(ctx, a);
            String target = name(ctx, a.get(1));
            if (target.isEmpty()) return m;
            for (String part : target.split("\\.")) m = ctx.getAttr(m, part);
            return m;
        });
        def("parameters", (ctx, a, kw) -> values(namedParameters(self(ctx, a), "", recurse(ctx, a, kw))));
        def("named_parameters", (ctx, a, kw) -> pairs(namedParameters(self(ctx, a),
                (String) Builtins.arg(a, kw, 1, "prefix", ""), ctx.truthy(Builtins.arg(a, kw, 2, "recurse", true)))));
        def("buffers", (ctx, a, kw) -> values(namedBuffers(self(ctx, a), "", recurse(ctx, a, kw))));
        def("named_buffers", (ctx, a, kw) -> pairs(namedBuffers(self(ctx, a),
                (String) Builtins.arg(a, kw, 1, "prefix", ""), ctx.truthy(Builtins.arg(a, kw, 2, "recurse", true)))));
        def("children", (ctx, a, kw) -> values(namedChildren(self(ctx, a))));
        def("named_children", (ctx, a, kw) -> pairs(namedChildren(self(ctx, a))));
        def("modules", (ctx, a, kw) -> values(namedModules(self(ctx, a), "")));
        def("named_modules", (ctx, a, kw) -> pairs(namedModules(self(ctx, a), (String) Builtins.arg(a, kw, 2, "prefix", ""))));
        def("state_dict", (ctx, a, kw) -> {
            Py.PyDict d = new Py.PyDict();
            for (Entry e : stateDict(self(ctx, a))) d.items.put(e.key(), e.tensor());
            return d;
        });
        def("train", (ctx, a, kw) -> {
            boolean mode = ctx.truthy(Builtins.arg(a, kw, 1, "mode", true));
            for (Object[] m : namedModules(self(ctx, a), "")) ((PyInstance) m[1]).dict.put("training", mode);
            return a.get(0);
        });
        def("eval", (ctx, a, kw) -> {
            for (Object[] m : namedModules(self(ctx, a), "")) ((PyInstance) m[1]).dict.put("training", false);
            return a.get(0);
        });
        def("apply", (ctx, a, kw) -> {
            PyInstance self = self(ctx, a);
            for (Object[] c : namedChildren(self)) ctx.call(ctx.getAttr(c[1], "apply"), List.of(a.get(1)), Map.of());
            ctx.call(a.get(1), List.of(self), Map.of());
            return self;
        });
        def("zero_grad", (ctx, a, kw) -> Py.NONE);
        for (String n : RETURN_SELF) def(n, (ctx, a, kw) -> {
            // Devices do not matter to kc; a dtype other than float32 would change every parameter's type.
            List<Object> all = new java.util.ArrayList<>(a.subList(1, a.size()));
            all.addAll(kw.values());
            for (Object o : all)
                if (o instanceof kc.ir.graph.DType d && d != kc.ir.graph.DType.F32)
                    throw ctx.error("unsupported: Module." + n + "(" + ctx.repr(d) + ") (kc keeps the parameters' dtypes)");
            return self(ctx, a);
        });
        for (String n : DTYPE_CHANGING) def(n, (ctx, a, kw) -> {
            throw ctx.error("unsupported: Module." + n + "() (kc keeps the parameters' dtypes)");
        });
    }

    private static boolean recurse(CallContext ctx, List<Object> a, Map<String, Object> kw) {
        return ctx.truthy(Builtins.arg(a, kw, 1, "recurse", true));
    }

    private static PyIterator values(List<Object[]> pairs) {
        List<Object> out = new ArrayList<>(pairs.size());
        for (Object[] p : pairs) out.add(p[1]);
        return PyIterator.of(out);
    }

    private static PyIterator pairs(List<Object[]> pairs) {
        List<Object> out = new ArrayList<>(pairs.size());
        for (Object[] p : pairs) out.add(Py.Tuple.of(p[0], p[1]));
        return PyIterator.of(out);
    }

    private static Object callModule(PyRuntime rt, PyInstance self, List<Object> args, Map<String, Object> kwargs) {
        refuseForwardHooks(rt, self);
        Object forward = rt.getAttr(self, "forward");
        String saved = rt.modulePath;
        String path = rt.modulePaths.get(self);
        if (path != null) rt.modulePath = path;
        try {
            return rt.call(forward, args, kwargs);
        } finally {
            rt.modulePath = saved;
        }
    }

    private static void checkName(PyRuntime rt, String name, String what) {
        if (name.contains(".")) throw rt.raise("KeyError", what + " name can't contain \".\", got: " + name);
        if (name.isEmpty()) throw rt.raise("KeyError", what + " name can't be empty string \"\"");
    }

    static void registerBuffer(PyRuntime rt, PyInstance self, String name, Object tensor, boolean persistent) {
        checkName(rt, name, "buffer");
        ModuleState m = self.module;
        if ((self.dict.containsKey(name) || m.parameters.items.containsKey(name) || m.modules.items.containsKey(name))
                && !m.buffers.items.containsKey(name))
            throw rt.raise("KeyError", "attribute '" + name + "' already exists");
        // A complex buffer is a value computed in __init__, fine unless it must travel in the state_dict.
        if (tensor instanceof ComplexTensor && persistent)
            throw rt.error("unsupported: a complex tensor as persistent buffer '" + name + "' (kc has no complex dtype to load it as); "
                    + "register it with persistent=False, or register torch.view_as_real of it");
        if (tensor != Py.NONE && !(tensor instanceof TensorLike))
            throw rt.raise("TypeError", "cannot assign '" + rt.typeName(tensor) + "' object to buffer '" + name + "' (torch Tensor or None required)");
        m.buffers.items.put(name, tensor);
        if (persistent) m.nonPersistentBuffers.remove(name);
        else m.nonPersistentBuffers.add(name);
    }

    static void registerParameter(PyRuntime rt, PyInstance self, String name, Object param) {
        checkName(rt, name, "parameter");
        ModuleState m = self.module;
        if ((self.dict.containsKey(name) || m.buffers.items.containsKey(name) || m.modules.items.containsKey(name))
                && !m.parameters.items.containsKey(name))
            throw rt.raise("KeyError", "attribute '" + name + "' already exists");
        if (param != Py.NONE && !(param instanceof Tensor t && t.isParameter()))
            throw rt.raise("TypeError", "cannot assign '" + rt.typeName(param) + "' object to parameter '" + name
                    + "' (torch.nn.Parameter or None required)");
        m.parameters.items.put(name, param);
    }

    /** PyTorch's Module.__setattr__. */
    static void setAttr(PyRuntime rt, PyInstance self, String name, Object value) {
        ModuleState m = self.module;
        if (value instanceof Tensor t && t.isParameter()) {
            self.dict.remove(name);
            m.buffers.items.remove(name);
            m.modules.items.remove(name);
            m.nonPersistentBuffers.remove(name);
            registerParameter(rt, self, name, value);
        } else if (m.parameters.items.containsKey(name)) {
            if (value != Py.NONE)
                throw rt.raise("TypeError", "cannot assign '" + rt.typeName(value) + "' as parameter '" + name
                        + "' (torch.nn.Parameter or None expected)");
            m.parameters.items.put(name, Py.NONE);
        } else if (value instanceof PyInstance child && child.module != null) {
            self.dict.remove(name);
            m.buffers.items.remove(name);
            m.nonPersistentBuffers.remove(name);
            m.modules.items.put(name, value);
        } else if (m.modules.items.containsKey(name)) {
            if (value != Py.NONE)
                throw rt.raise("TypeError", "cannot assign '" + rt.typeName(value) + "' as child module '" + name
                        + "' (torch.nn.Module or None expected)");
            m.modules.items.put(name, Py.NONE);
        } else if (m.buffers.items.containsKey(name)) {
            if (value != Py.NONE && !(value instanceof TensorLike))
                throw rt.raise("TypeError", "cannot assign '" + rt.typeName(value) + "' as buffer '" + name
                        + "' (torch.Tensor or None expected)");
            if (value instanceof ComplexTensor && !m.nonPersistentBuffers.contains(name))
                throw rt.error("unsupported: a complex tensor as persistent buffer '" + name + "' (kc has no complex dtype to load it as)");
            m.buffers.items.put(name, value);
        } else {
            self.dict.put(name, value);
        }
    }

    private static String join(String prefix, String name) { return prefix.isEmpty() ? name : prefix + "." + name; }

    /** named_modules(): pre-order, each module once, as (path, module) pairs. */
    static List<Object[]> namedModules(PyInstance root, String prefix) {
        List<Object[]> out = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        walkModules(root, prefix, seen, out);
        return out;
    }

    private static void walkModules(PyInstance m, String prefix, Set<Object> seen, List<Object[]> out) {
        if (!seen.add(m)) return;
        out.add(new Object[] {prefix, m});
        for (var e : m.module.modules.items.entrySet())
            if (e.getValue() instanceof PyInstance child) walkModules(child, join(prefix, (String) e.getKey()), seen, out);
    }

    static List<Object[]> namedChildren(PyInstance self) {
        List<Object[]> out = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (var e : self.module.modules.items.entrySet())
            if (e.getValue() instanceof PyInstance child && seen.add(child)) out.add(new Object[] {e.getKey(), child});
        return out;
    }

    static List<Object[]> namedParameters(PyInstance self, String prefix, boolean recurse) {
        return namedMembers(self, prefix, recurse, false);
    }

    static List<Object[]> namedBuffers(PyInstance self, String prefix, boolean recurse) {
        return namedMembers(self, prefix, recurse, true);
    }

    private static List<Object[]> namedMembers(PyInstance self, String prefix, boolean recurse, boolean buffers) {
        List<Object[]> out = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object[]> mods = recurse ? namedModules(self, prefix) : List.<Object[]>of(new Object[] {prefix, self});
        for (Object[] pm : mods) {
            PyInstance m = (PyInstance) pm[1];
            Py.PyDict members = buffers ? m.module.buffers : m.module.parameters;
            for (var e : members.items.entrySet())
                if (e.getValue() instanceof Tensor t && seen.add(t)) out.add(new Object[] {join((String) pm[0], (String) e.getKey()), t});
        }
        return out;
    }

    /**
     * The state_dict in PyTorch's order: a module's own parameters, then its persistent buffers, then each child's
     * entries recursively. Tied tensors appear under every key; None entries are skipped.
     */
    static List<Entry> stateDict(PyInstance root) {
        List<Entry> out = new ArrayList<>();
        collect(root, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collect(PyInstance m, String prefix, List<Entry> out, Set<Object> onPath) {
        if (!onPath.add(m)) return; // a module containing itself: PyTorch would recurse forever
        for (var e : m.module.parameters.items.entrySet())
            if (e.getValue() instanceof Tensor t) out.add(new Entry(prefix + e.getKey(), t, false));
        for (var e : m.module.buffers.items.entrySet())
            if (e.getValue() instanceof Tensor t && !m.module.nonPersistentBuffers.contains((String) e.getKey()))
                out.add(new Entry(prefix + e.getKey(), t, true));
        for (var e : m.module.modules.items.entrySet())
            if (e.getValue() instanceof PyInstance child) collect(child, prefix + e.getKey() + ".", out, onPath);
        onPath.remove(m);
    }
}
