package kc.frontend.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import kc.frontend.CompileError;
import kc.frontend.ast.Expr.BinOpKind;
import kc.frontend.ast.Expr.CmpOp;
import kc.frontend.ast.Expr.UnaryOpKind;
import kc.frontend.ast.Pos;
import kc.frontend.eval.PyObjects.BoundMethod;
import kc.frontend.eval.PyObjects.ModuleObject;
import kc.frontend.eval.PyObjects.PyIterator;
import kc.frontend.eval.PyObjects.PySet;
import kc.frontend.eval.PyObjects.Range;
import kc.frontend.torch.ComplexDType;
import kc.frontend.torch.ComplexTensor;
import kc.frontend.torch.Tensor;
import kc.frontend.torch.TensorLike;
import kc.frontend.torch.TorchLibrary;
import kc.ir.graph.DType;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Origin;
import kc.ir.graph.SourcePos;

/**
 * The Python object model of one evaluation: attribute access, calls, operators, truthiness, iteration, repr,
 * with dunder dispatch on user classes and delegation of tensors to the {@link TorchLibrary}. It is also the
 * {@link CallContext} builtins see, and it tracks where evaluation is (the innermost user-code position, the
 * running prelude composite and nn.Module path) to give graph nodes their {@link Origin}.
 */
final class PyRuntime implements CallContext {
    final TorchLibrary torch;
    final GraphBuilder graph;
    final Interpreter interp;
    final List<String> warnings = new ArrayList<>();
    /** Imported and importable module objects by dotted name. */
    final Map<String, ModuleObject> modules = new HashMap<>();
    final Map<String, Object> builtins;

    // Where evaluation is: innermost user-code position, running prelude composite, module path.
    String userFile;
    Pos userPos = new Pos(1, 1);
    /** True while the code being executed is user code (its positions are tracked). */
    boolean inUser = true;
    private String composite;
    private int compositeInstance;
    String modulePath = "";
    private final HashMap<String, Integer> compositeCounters = new HashMap<>();
    private final HashMap<String, long[]> primitiveCounters = new HashMap<>();
    private long nativeCallSeq;
    /** nn.Module instance to its path in the model ("" for the root), once the model is built. */
    final IdentityHashMap<PyInstance, String> modulePaths = new IdentityHashMap<>();

    PyRuntime(TorchLibrary torch, GraphBuilder graph, String userFile) {
        this.torch = torch;
        this.graph = graph;
        this.userFile = userFile;
        this.interp = new Interpreter(this);
        this.builtins = Builtins.namespace();
    }

    // ---------------------------------------------------------------- CallContext

    @Override public GraphBuilder graph() { return graph; }

    @Override public Origin origin(String primitive) {
        // Consecutive nodes mostly come from the same call: they share its (immutable) position and origin, so
        // the 100k nodes of an unrolled RNN do not each hold copies the GC keeps moving.
        if (userPos != lastUserPos || userFile != lastUserFile) {
            lastUserPos = userPos;
            lastUserFile = userFile;
            lastSourcePos = new SourcePos(userFile, userPos.line(), userPos.column());
        }
        String name = primitive;
        int instance = compositeInstance;
        if (composite != null) name = composite;
        else {
            long[] counter = primitiveCounters.computeIfAbsent(primitive, k -> new long[] {-1, 0});
            if (counter[0] != nativeCallSeq) { counter[0] = nativeCallSeq; counter[1]++; }
            instance = (int) counter[1];
        }
        Origin last = lastOrigin;
        if (last != null && last.instance() == instance && last.pos() == lastSourcePos && java.util.Objects.equals(last.composite(), name)
                && java.util.Objects.equals(last.module(), modulePath)) return last;
        return lastOrigin = new Origin(name, instance, modulePath, lastSourcePos);
    }

    private Pos lastUserPos;
    private String lastUserFile;
    private SourcePos lastSourcePos;
    private Origin lastOrigin;

    @Override public CompileError error(String message) { return new CompileError(userFile, userPos, message); }

    @Override public boolean truthy(Object v) {
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v == Py.NONE) return false;
        if (v instanceof Double d) return d != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Py.PyList l) return !l.items.isEmpty();
        if (v instanceof Py.Tuple t) return !t.items().isEmpty();
        if (v instanceof Py.PyDict d) return !d.items.isEmpty();
        if (v instanceof PySet s) return !s.items.isEmpty();
        if (v instanceof Range r) return r.length() > 0;
        if (v instanceof Tensor t)
            throw error("data-dependent control flow is not supported: the truth value of a tensor " + t.type()
                    + " is only known at run time");
        if (v instanceof ComplexTensor) throw error("unsupported: the truth value of a complex tensor");
        if (v instanceof PyInstance i) {
            Object m = i.cls.lookup("__bool__");
            if (m != null) return truthy(call(m, List.of(i), Map.of()));
            m = i.cls.lookup("__len__");
            if (m != null) return truthy(call(m, List.of(i), Map.of()));
        }
        return true;
    }

    @Override public String repr(Object v) { return toText(v, true); }

    String str(Object v) { return toText(v, false); }

    private String toText(Object v, boolean repr) {
        if (v instanceof String s) return repr ? Formatting.strRepr(s) : s;
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Long l) return l.toString();
        if (v instanceof Double d) return Formatting.floatRepr(d);
        if (v == Py.NONE) return "None";
        if (v instanceof Py.Tuple t) {
            if (t.items().size() == 1) return "(" + repr(t.items().get(0)) + ",)";
            return "(" + join(t.items()) + ")";
        }
        if (v instanceof Py.PyList l) return "[" + join(l.items) + "]";
        if (v instanceof Py.PyDict d) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : d.items.entrySet()) {
                if (sb.length() > 1) sb.append(", ");
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof PySet s) return s.items.isEmpty() ? "set()" : "{" + join(new ArrayList<>(s.items)) + "}";
        if (v instanceof DType d) return "torch." + d.torchName();
        if (v instanceof Range r) return "range(" + r.start() + ", " + r.stop() + (r.step() == 1 ? "" : ", " + r.step()) + ")";
        if (v instanceof Py.Slice s)
            return "slice(" + repr(orNone(s.start())) + ", " + repr(orNone(s.stop())) + ", " + repr(orNone(s.step())) + ")";
        if (v instanceof PyInstance i) {
            Object m = i.cls.lookup(repr ? "__repr__" : "__str__");
            if (m == null && !repr) m = i.cls.lookup("__repr__");
            if (m != null) return str(call(m, List.of(i), Map.of()));
            if (i.cls.isSubclassOf(Types.BASE_EXCEPTION)) return exceptionMessage(i);
            return "<" + i.cls.name + " object>";
        }
        return String.valueOf(v);
    }

    private String join(List<Object> items) {
        StringBuilder sb = new StringBuilder();
        for (Object o : items) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(repr(o));
        }
        return sb.toString();
    }

    static Object orNone(Object v) { return v == null ? Py.NONE : v; }

    // ---------------------------------------------------------------- errors

    /** A Python exception of the named built-in type, raised at the current user position. */
    PyRaise raise(String type, String message) {
        PyClass cls = Types.EXCEPTIONS.get(type);
        PyInstance exc = new PyInstance(cls, false);
        exc.dict.put("args", Py.Tuple.of(message));
        // "unsupported: torch.fft.fft" says it all; the Python exception name would only distract.
        String text = message.startsWith("unsupported:") ? message : type + ": " + message;
        return new PyRaise(exc, text, userFile, userPos);
    }

    PyRaise raiseInstance(PyInstance exc) {
        String msg = exceptionMessage(exc);
        return new PyRaise(exc, exc.cls.name + (msg.isEmpty() ? "" : ": " + msg), userFile, userPos);
    }

    String exceptionMessage(PyInstance exc) {
        Object args = exc.dict.get("args");
        if (args instanceof Py.Tuple t) {
            if (t.items().isEmpty()) return "";
            if (t.items().size() == 1) return str(t.items().get(0));
            return str(t);
        }
        return "";
    }

    /**
     * A Java exception escaping a builtin is a bug in kc; it becomes a CompileError at the innermost user position
     * (taken now, before the frames unwind) so the user still sees where it happened and never a stack trace.
     */
    CompileError internalError(RuntimeException e) {
        return new CompileError(userFile, userPos, "internal error: " + e);
    }

    String typeName(Object v) {
        return v instanceof PyObjects.Unavailable u ? u.path() + " (" + u.why() + ")" : Types.classOf(v).name;
    }

    // ---------------------------------------------------------------- frames and origins

    /** What a function call changes in the tracking state, restored when it returns. */
    record Saved(String composite, int instance, boolean inUser, String userFile, Pos userPos) {}

    Saved enter(SourceUnit source, String compositeName) {
        Saved saved = new Saved(composite, compositeInstance, inUser, userFile, userPos);
        if (source.prelude()) {
            inUser = false;
            if (composite == null) {
                composite = compositeName;
                compositeInstance = compositeCounters.merge(compositeName, 1, Integer::sum);
            }
        } else {
            inUser = true;
            composite = null;
            userFile = source.file();
        }
        return saved;
    }

    void exit(Saved s) {
        composite = s.composite();
        compositeInstance = s.instance();
        inUser = s.inUser();
        userFile = s.userFile();
        userPos = s.userPos();
    }

    /** Marks the start of one native operation (nodes it emits outside any composite share an instance). */
    void nativeCall() { nativeCallSeq++; }

    // ---------------------------------------------------------------- calls

    @Override public Object call(Object f, List<Object> args, Map<String, Object> kwargs) {
        if (f instanceof PyFunction fn) return interp.invoke(fn, args, kwargs);
        if (f instanceof BoundMethod bm) {
            List<Object> all = new ArrayList<>(args.size() + 1);
            all.add(bm.self());
            all.addAll(args);
            return call(bm.function(), all, kwargs);
        }
        if (f instanceof NativeFunction nf) {
            nativeCall();
            Object r = nf.impl().call(this, args, kwargs);
            return r == null ? Py.NONE : r;
        }
        if (f instanceof PyClass cls) return instantiate(cls, args, kwargs);
        if (f instanceof PyInstance i) {
            Object m = i.cls.lookup("__call__");
            if (m != null) return call(bindTo(m, i, i.cls), args, kwargs);
        }
        if (f instanceof PyObjects.StaticMethod sm) return call(sm.function(), args, kwargs);
        if (f instanceof PyObjects.Unavailable u) throw raise("NotImplementedError", u.message());
        throw raise("TypeError", "'" + typeName(f) + "' object is not callable");
    }

    Object call(Object f, Object... args) { return call(f, List.of(args), Map.of()); }

    private Object instantiate(PyClass cls, List<Object> args, Map<String, Object> kwargs) {
        if (cls.nativeConstructor != null) return cls.nativeConstructor.call(this, args, kwargs);
        if (cls.lookup(UNAVAILABLE_BASE) instanceof PyObjects.Unavailable u)
            throw raise("NotImplementedError", "unsupported: class " + cls.name + " subclasses " + u.path() + ", and " + u.why());
        for (PyClass c : cls.mro)
            if (c.nativeConstructor != null && c != Types.OBJECT)
                throw error("unsupported: subclassing the built-in type '" + c.name + "'");
        Object newFn = cls.lookup("__new__");
        if (newFn instanceof PyFunction || newFn instanceof PyObjects.StaticMethod sm && sm.function() instanceof PyFunction) {
            // A user-defined __new__ (implicitly static) makes the object; __init__ runs when it is an instance of cls.
            List<Object> all = new ArrayList<>(args.size() + 1);
            all.add(cls);
            all.addAll(args);
            Object made = call(newFn instanceof PyObjects.StaticMethod sm ? sm.function() : newFn, all, kwargs);
            if (made instanceof PyInstance i && i.cls.isSubclassOf(cls)) {
                Object init = cls.lookup("__init__");
                if (init != null) call(bindTo(init, i, cls), args, kwargs);
            }
            return made;
        }
        PyInstance inst = new PyInstance(cls, cls.isSubclassOf(NnModule.MODULE));
        if (inst.module != null) inst.dict.put("training", Boolean.TRUE);
        Object init = cls.lookup("__init__");
        if (init != null) {
            Object r = call(bindTo(init, inst, cls), args, kwargs);
            if (r != Py.NONE) throw raise("TypeError", "__init__() should return None, not '" + typeName(r) + "'");
        }
        return inst;
    }

    /** A class attribute as seen through an instance (methods bound, staticmethods unwrapped). */
    Object bindTo(Object attr, Object self, PyClass cls) {
        if (attr instanceof PyFunction || attr instanceof NativeFunction) return new BoundMethod(self, attr);
        if (attr instanceof PyObjects.StaticMethod sm) return sm.function();
        if (attr instanceof PyObjects.ClassMethod cm) return new BoundMethod(cls, cm.function());
        if (attr instanceof PyObjects.Property p) return call(p.fget(), self);
        return attr;
    }

    /** Calls the dunder {@code name} of a user-class instance, or returns null when the class has none. */
    Object dunder(Object self, String name, Object... args) {
        if (!(self instanceof PyInstance i)) return null;
        Object m = i.cls.lookup(name);
        if (m == null) return null;
        List<Object> all = new ArrayList<>(args.length + 1);
        all.add(self);
        for (Object a : args) all.add(a);
        return call(m, all, Map.of());
    }

    // ---------------------------------------------------------------- attributes

    @Override public Object getAttr(Object v, String name) {
        Object r = findAttr(v, name);
        if (r != null) return r;
        if (v instanceof PyInstance i) {
            Object ga = i.cls.lookup("__getattr__");
            if (ga != null) return call(ga, i, name);
        }
        throw noAttribute(v, name);
    }

    PyRaise noAttribute(Object v, String name) {
        if (v instanceof ModuleObject m) {
            if (m.name().startsWith("torch") || m.name().equals("einops") || m.name().equals("numpy"))
                return raise("AttributeError", "unsupported: " + m.name() + "." + name);
            return raise("AttributeError", "module '" + m.name() + "' has no attribute '" + name + "'");
        }
        if (v instanceof PyClass c) return raise("AttributeError", "type object '" + c.name + "' has no attribute '" + name + "'");
        if (v instanceof PyInstance i && i.module != null)
            return raise("AttributeError", "'" + i.cls.name + "' object has no attribute '" + name + "'");
        return raise("AttributeError", "'" + typeName(v) + "' object has no attribute '" + name + "'");
    }

    /** Where a class whose base kc cannot model keeps that base: defining it is fine, instantiating it is the error. */
    static final String UNAVAILABLE_BASE = "__kc_unavailable_base__";

    /**
     * An attribute as an expression reads it: like {@link #getAttr}, but a name that a library kc models lacks (or
     * any attribute of an unavailable name) is an {@link PyObjects.Unavailable}, an error only where it is used.
     * hasattr and getattr with a default still see it as absent.
     */
    Object readAttr(Object v, String name) {
        if (v instanceof PyObjects.Unavailable u) return new PyObjects.Unavailable(u.path() + "." + name, u.why());
        try {
            return getAttr(v, name);
        } catch (PyRaise e) {
            if (v instanceof ModuleObject m && modelledLibrary(m.name()) && e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("AttributeError")))
                return new PyObjects.Unavailable(m.name() + "." + name, "kc does not model " + m.name() + "." + name);
            throw e;
        }
    }

    /** The libraries kc models itself: a name they lack is kc's gap, not the file's mistake. */
    static boolean modelledLibrary(String module) {
        return module.equals("torch") || module.startsWith("torch.") || module.equals("einops") || module.equals("numpy") || module.equals("math");
    }

    /** getattr without __getattr__ fallback and without raising: null when absent. */
    Object findAttr(Object v, String name) {
        if (v instanceof PyInstance i) return instanceAttr(i, name);
        if (v instanceof TensorLike t) {
            nativeCall();
            return torch.getAttr(this, t, name);
        }
        if (v instanceof ModuleObject m) {
            Object r = m.dict().get(name);
            if (r == null && name.equals("__name__")) return m.name();
            return r;
        }
        if (v instanceof PyClass c) return classAttr(c, name);
        if (v instanceof PyObjects.Super s) return superAttr(s, name);
        if (v instanceof PyFunction f) {
            Object assigned = f.attrs.get(name); // functools.wraps-style fn.__name__ = ... wins
            if (assigned != null) return assigned;
            return switch (name) {
                case "__name__" -> f.name;
                case "__qualname__" -> f.qualname;
                case "__module__" -> "__main__";
                case "__doc__" -> Py.NONE;
                default -> f.attrs.get(name);
            };
        }
        if (v instanceof BoundMethod bm) {
            return switch (name) {
                case "__self__" -> bm.self();
                case "__func__" -> bm.function();
                default -> findAttr(bm.function(), name);
            };
        }
        if (v instanceof NativeFunction nf) {
            if (name.equals("__name__")) {
                String q = nf.qualifiedName();
                return q.substring(q.lastIndexOf('.') + 1);
            }
            if (name.equals("__qualname__")) return nf.qualifiedName();
            return null;
        }
        if (v instanceof PyObjects.Property p) {
            if (name.equals("setter")) return new NativeFunction("property.setter",
                    (ctx, a, kw) -> new PyObjects.Property(p.fget(), a.get(0)));
            if (name.equals("fget")) return p.fget();
            return null;
        }
        if (v instanceof DType d) {
            return switch (name) {
                case "is_floating_point" -> d.isFloat();
                case "is_complex" -> false;
                case "itemsize" -> (long) d.bytes;
                default -> null;
            };
        }
        if (v instanceof ComplexDType d) {
            return switch (name) {
                case "is_floating_point" -> false;
                case "is_complex" -> true;
                case "itemsize" -> (long) (2 * d.part.bytes);
                default -> null;
            };
        }
        if (v instanceof Py.Slice s) {
            return switch (name) {
                case "start" -> orNone(s.start());
                case "stop" -> orNone(s.stop());
                case "step" -> orNone(s.step());
                default -> null;
            };
        }
        if (v instanceof Range r) {
            return switch (name) {
                case "start" -> r.start();
                case "stop" -> r.stop();
                case "step" -> r.step();
                default -> null;
            };
        }
        PyClass cls = Types.classOf(v);
        if (name.equals("__class__")) return cls;
        Object m = cls.lookup(name);
        return m == null ? null : bindTo(m, v, cls);
    }

    private Object instanceAttr(PyInstance i, String name) {
        Object clsAttr = i.cls.lookup(name);
        if (clsAttr instanceof PyObjects.Property p) return call(p.fget(), i);
        Object own = i.dict.get(name);
        if (own != null) return own;
        if (i.module != null) {
            switch (name) {
                case "_parameters": return i.module.parameters;
                case "_buffers": return i.module.buffers;
                case "_modules": return i.module.modules;
                case "_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks", "_state_dict_hooks",
                     "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks":
                    return NnModule.hookDict(i, name);
                default: break;
            }
            Object r = i.module.parameters.items.get(name);
            if (r == null) r = i.module.buffers.items.get(name);
            if (r == null) r = i.module.modules.items.get(name);
            if (r != null) return r;
            if (i.module.parameters.items.containsKey(name) || i.module.buffers.items.containsKey(name)
                    || i.module.modules.items.containsKey(name)) return Py.NONE;
        }
        if (clsAttr != null) return bindTo(clsAttr, i, i.cls);
        return switch (name) {
            case "__class__" -> i.cls;
            case "__dict__" -> new Py.PyDict(i.dict); // live: self.__dict__.update(kwargs) sets attributes
            default -> null;
        };
    }

    private Object classAttr(PyClass c, String name) {
        Object a = c.lookup(name);
        if (a != null) {
            if (a instanceof PyObjects.ClassMethod cm) return new BoundMethod(c, cm.function());
            if (a instanceof PyObjects.StaticMethod sm) return sm.function();
            return a;
        }
        return switch (name) {
            case "__name__", "__qualname__" -> c.name;
            case "__mro__" -> new Py.Tuple(new ArrayList<>(c.mro));
            case "__bases__" -> new Py.Tuple(new ArrayList<>(c.bases));
            case "__module__" -> c.source == null ? "builtins" : "__main__";
            case "__class__" -> Types.TYPE;
            case "__doc__" -> Py.NONE;
            default -> null;
        };
    }

    private Object superAttr(PyObjects.Super s, String name) {
        PyClass start = s.self() instanceof PyClass c ? c : Types.classOf(s.self());
        List<PyClass> mro = start.mro;
        int idx = mro.indexOf(s.after());
        for (int k = idx + 1; k < mro.size(); k++) {
            Object a = mro.get(k).dict.get(name);
            if (a == null) continue;
            if (s.self() instanceof PyClass c) {
                if (a instanceof PyObjects.ClassMethod cm) return new BoundMethod(c, cm.function());
                if (a instanceof PyObjects.StaticMethod sm) return sm.function();
                return a;
            }
            return bindTo(a, s.self(), start);
        }
        return null;
    }

    void setAttr(Object target, String name, Object value) {
        if (target instanceof PyInstance i) {
            Object clsAttr = i.cls.lookup(name);
            if (clsAttr instanceof PyObjects.Property p) {
                if (p.fset() == null) throw raise("AttributeError", "can't set attribute '" + name + "'");
                call(p.fset(), i, value);
                return;
            }
            Object custom = i.cls.lookup("__setattr__");
            if (custom != null && custom != NnModule.SETATTR && custom != Builtins.OBJECT_SETATTR) {
                call(custom, i, name, value);
                return;
            }
            if (i.module != null) NnModule.setAttr(this, i, name, value);
            else i.dict.put(name, value);
            return;
        }
        if (target instanceof PyClass c) {
            if (c.source == null) throw raise("TypeError", "cannot set '" + name + "' attribute of immutable type '" + c.name + "'");
            c.dict.put(name, value);
            return;
        }
        if (target instanceof ModuleObject m) { m.dict().put(name, value); return; }
        if (target instanceof PyFunction f) { f.attrs.put(name, value); return; }
        if (target instanceof Tensor t) {
            switch (name) {
                case "requires_grad" -> { return; }
                case "data" -> {
                    if (value instanceof Tensor v) { t.rebind(v.value()); return; }
                }
                default -> { }
            }
            throw error("unsupported: setting tensor attribute '" + name + "'");
        }
        if (target instanceof ComplexTensor) throw error("unsupported: setting attribute '" + name + "' of a complex tensor");
        throw raise("AttributeError", "'" + typeName(target) + "' object has no attribute '" + name + "'");
    }

    void delAttr(Object target, String name) {
        if (target instanceof PyInstance i) {
            if (i.dict.remove(name) != null) return;
            if (i.module != null && (i.module.parameters.items.remove(name) != null | i.module.buffers.items.remove(name) != null
                    | i.module.modules.items.remove(name) != null)) return;
        } else if (target instanceof PyClass c && c.source != null) {
            if (c.dict.remove(name) != null) return;
        } else if (target instanceof ModuleObject m) {
            if (m.dict().remove(name) != null) return;
        }
        throw raise("AttributeError", name);
    }

    // ---------------------------------------------------------------- operators

    Object binary(BinOpKind op, Object l, Object r) {
        if (l instanceof TensorLike || r instanceof TensorLike) {
            if (!(l instanceof PyInstance) && !(r instanceof PyInstance)) {
                nativeCall();
                return torch.binaryOp(this, op, l, r);
            }
        }
        if (l instanceof PyInstance) {
            Object res = dunder(l, "__" + dunderName(op) + "__", r);
            if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return res;
        }
        if (r instanceof PyInstance) {
            Object res = dunder(r, "__r" + dunderName(op) + "__", l);
            if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return res;
        }
        if (op == BinOpKind.MOD && l instanceof String s) return percentFormat(s, r);
        if (op == BinOpKind.BITOR && l instanceof Py.PyDict a && r instanceof Py.PyDict b) {
            Py.PyDict d = new Py.PyDict();
            d.items.putAll(a.items);
            d.items.putAll(b.items);
            return d;
        }
        if (l instanceof PySet a && r instanceof PySet b) {
            Object res = Methods.setOp(op, a, b);
            if (res != null) return res;
        }
        Object res;
        try {
            res = Operators.binary(op, l, r);
        } catch (Operators.ArithmeticFailure f) {
            throw raise(f.pyType, f.getMessage());
        }
        if (res == null)
            throw raise("TypeError", "unsupported operand type(s) for " + symbol(op) + ": '" + typeName(l) + "' and '" + typeName(r) + "'");
        return res;
    }

    /** {@code target op= value}: in place for lists, tensors (the box is rebound) and __iop__ dunders. */
    Object inplace(BinOpKind op, Object l, Object r) {
        if (l instanceof Py.PyList list && op == BinOpKind.ADD) {
            list.items.addAll(toList(r));
            return list;
        }
        if (l instanceof Py.PyList list && op == BinOpKind.MUL && Operators.isIntLike(r)) {
            List<Object> once = new ArrayList<>(list.items);
            list.items.clear();
            for (long k = 0; k < Operators.asLong(r); k++) list.items.addAll(once);
            return list;
        }
        if (l instanceof ComplexTensor && !(r instanceof PyInstance))
            throw error("unsupported: the in-place operator " + symbol(op) + "= on a complex tensor (kc's complex tensors are values: write z = z "
                    + symbol(op) + " w)");
        if (l instanceof Tensor t && !(r instanceof PyInstance)) {
            nativeCall();
            Object res = torch.binaryOp(this, op, l, r);
            if (res instanceof ComplexTensor z)
                throw error("result type " + z.dtype() + " can't be cast to the desired output type torch." + t.dtype().torchName());
            if (res instanceof Tensor n && n != t) {
                t.rebind(n.value());
                return t;
            }
            return res;
        }
        if (l instanceof PyInstance) {
            Object res = dunder(l, "__i" + dunderName(op) + "__", r);
            if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return res;
        }
        if (l instanceof Py.PyDict a && op == BinOpKind.BITOR && r instanceof Py.PyDict b) {
            a.items.putAll(b.items);
            return a;
        }
        return binary(op, l, r);
    }

    private String percentFormat(String template, Object r) {
        List<Object> args = r instanceof Py.Tuple t ? t.items() : List.of(r);
        Map<Object, Object> mapping = r instanceof Py.PyDict d ? d.items : null;
        try {
            return Formatting.percent(template, args, mapping, this::str, this::repr);
        } catch (Operators.ArithmeticFailure f) {
            throw raise(f.pyType, f.getMessage());
        } catch (IllegalArgumentException e) {
            throw raise("TypeError", e.getMessage());
        }
    }

    static String dunderName(BinOpKind op) {
        return switch (op) {
            case ADD -> "add"; case SUB -> "sub"; case MUL -> "mul"; case DIV -> "truediv"; case FLOORDIV -> "floordiv";
            case MOD -> "mod"; case POW -> "pow"; case MATMUL -> "matmul"; case LSHIFT -> "lshift"; case RSHIFT -> "rshift";
            case BITAND -> "and"; case BITOR -> "or"; case BITXOR -> "xor";
        };
    }

    static String symbol(BinOpKind op) {
        return switch (op) {
            case ADD -> "+"; case SUB -> "-"; case MUL -> "*"; case DIV -> "/"; case FLOORDIV -> "//"; case MOD -> "%";
            case POW -> "** or pow()"; case MATMUL -> "@"; case LSHIFT -> "<<"; case RSHIFT -> ">>"; case BITAND -> "&";
            case BITOR -> "|"; case BITXOR -> "^";
        };
    }

    Object unary(UnaryOpKind op, Object v) {
        if (op == UnaryOpKind.NOT) return !truthy(v);
        if (v instanceof TensorLike t) {
            nativeCall();
            return torch.unaryOp(this, op, t);
        }
        if (v instanceof PyInstance) {
            String name = switch (op) { case NEG -> "__neg__"; case POS -> "__pos__"; default -> "__invert__"; };
            Object res = dunder(v, name);
            if (res != null) return res;
        }
        if (Operators.isNumber(v)) {
            switch (op) {
                case NEG -> {
                    if (v instanceof Double d) return -d;
                    long l = Operators.asLong(v);
                    if (l == Long.MIN_VALUE) throw raise("OverflowError", "integer too large for kc (64-bit)");
                    return -l;
                }
                case POS -> { return v instanceof Double ? v : (Object) Operators.asLong(v); }
                case INVERT -> {
                    if (!(v instanceof Double)) return ~Operators.asLong(v);
                }
                default -> { }
            }
        }
        String sym = switch (op) { case NEG -> "-"; case POS -> "+"; default -> "~"; };
        throw raise("TypeError", "bad operand type for unary " + sym + ": '" + typeName(v) + "'");
    }

    /** One comparison; the result of a tensor comparison is a tensor. */
    Object compare(CmpOp op, Object l, Object r) {
        switch (op) {
            case IS: return isSame(l, r);
            case IS_NOT: return !isSame(l, r);
            case IN: return contains(r, l);
            case NOT_IN: return !contains(r, l);
            default: break;
        }
        if ((l instanceof TensorLike || r instanceof TensorLike) && !(l instanceof PyInstance) && !(r instanceof PyInstance)) {
            nativeCall();
            return torch.compare(this, op, l, r);
        }
        if (op == CmpOp.EQ) return pyEquals(l, r);
        if (op == CmpOp.NE) {
            if (l instanceof PyInstance && ((PyInstance) l).cls.lookup("__ne__") != null) return dunder(l, "__ne__", r);
            return !pyEquals(l, r);
        }
        if (Operators.isNumber(l) && Operators.isNumber(r)) {
            if (Operators.isIntLike(l) && Operators.isIntLike(r)) {
                long a = Operators.asLong(l), b = Operators.asLong(r);
                return switch (op) { case LT -> a < b; case LE -> a <= b; case GT -> a > b; default -> a >= b; };
            }
            double a = Operators.asDouble(l), b = Operators.asDouble(r);
            return switch (op) { case LT -> a < b; case LE -> a <= b; case GT -> a > b; default -> a >= b; };
        }
        String name = switch (op) { case LT -> "lt"; case LE -> "le"; case GT -> "gt"; default -> "ge"; };
        String reflected = switch (op) { case LT -> "gt"; case LE -> "ge"; case GT -> "lt"; default -> "le"; };
        Object res = dunder(l, "__" + name + "__", r);
        if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return res;
        res = dunder(r, "__" + reflected + "__", l);
        if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return res;
        Integer c = Operators.order(l, r, this::pyEquals, this::orderOf);
        if (c == null) {
            String sym = switch (op) { case LT -> "<"; case LE -> "<="; case GT -> ">"; default -> ">="; };
            throw raise("TypeError", "'" + sym + "' not supported between instances of '" + typeName(l) + "' and '" + typeName(r) + "'");
        }
        return switch (op) { case LT -> c < 0; case LE -> c <= 0; case GT -> c > 0; default -> c >= 0; };
    }

    /** Three-way order of two values, for sorting and sequence comparison. */
    int orderOf(Object a, Object b) {
        if (truthy(compare(CmpOp.LT, a, b))) return -1;
        if (truthy(compare(CmpOp.LT, b, a))) return 1;
        return 0;
    }

    private static boolean isSame(Object a, Object b) {
        if (a == b) return true;
        if (a instanceof Long || a instanceof Double || a instanceof Boolean || a instanceof String)
            return a.equals(b);
        return false;
    }

    /** Python ==, with numbers compared by value and containers element-wise. */
    boolean pyEquals(Object a, Object b) {
        if (a == b) return true;
        if (Operators.isNumber(a) && Operators.isNumber(b)) {
            if (Operators.isIntLike(a) && Operators.isIntLike(b)) return Operators.asLong(a) == Operators.asLong(b);
            return Operators.asDouble(a) == Operators.asDouble(b);
        }
        if (a instanceof String s) return s.equals(b);
        if (a instanceof Py.Tuple t && b instanceof Py.Tuple u) return listEquals(t.items(), u.items());
        if (a instanceof Py.PyList t && b instanceof Py.PyList u) return listEquals(t.items, u.items);
        if (a instanceof Py.PyDict d && b instanceof Py.PyDict e) {
            if (d.items.size() != e.items.size()) return false;
            for (var en : d.items.entrySet()) {
                Object other = e.items.get(en.getKey());
                if (other == null || !pyEquals(en.getValue(), other)) return false;
            }
            return true;
        }
        if (a instanceof PySet s && b instanceof PySet t) return s.items.equals(t.items);
        if (a instanceof PyInstance || b instanceof PyInstance) {
            Object res = dunder(a, "__eq__", b);
            if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return truthy(res);
            res = dunder(b, "__eq__", a);
            if (res != null && res != Types.NotImplemented.NOT_IMPLEMENTED) return truthy(res);
            return false;
        }
        if (a instanceof TensorLike || b instanceof TensorLike) return false;
        return a.equals(b);
    }

    private boolean listEquals(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!pyEquals(a.get(i), b.get(i))) return false;
        return true;
    }

    boolean contains(Object container, Object item) {
        if (container instanceof Py.PyDict d) return d.items.containsKey(hashKey(item));
        if (container instanceof PySet s) return s.items.contains(hashKey(item));
        if (container instanceof String s) {
            if (!(item instanceof String sub)) throw raise("TypeError", "'in <string>' requires string as left operand, not " + typeName(item));
            return s.contains(sub);
        }
        if (container instanceof Range r && Operators.isIntLike(item)) {
            long v = Operators.asLong(item);
            if (r.step() > 0 ? v < r.start() || v >= r.stop() : v > r.start() || v <= r.stop()) return false;
            return (v - r.start()) % r.step() == 0;
        }
        if (container instanceof PyInstance i) {
            Object res = dunder(i, "__contains__", item);
            if (res != null) return truthy(res);
        }
        if (container instanceof TensorLike) throw error("unsupported: 'in' on a tensor");
        Iterator<Object> it = iterate(container);
        while (it.hasNext()) if (pyEquals(it.next(), item)) return true;
        return false;
    }

    /**
     * The key under which a value is stored in a dict or set: equal numbers share a key as in Python
     * (1, 1.0 and True); unhashable values are a TypeError.
     */
    Object hashKey(Object v) {
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9e18) return (long) (double) d;
        if (v instanceof Py.PyList || v instanceof Py.PyDict || v instanceof PySet)
            throw raise("TypeError", "unhashable type: '" + typeName(v) + "'");
        if (v instanceof Py.Tuple t) {
            boolean plain = true;
            for (Object o : t.items()) if (o instanceof Boolean || o instanceof Double || o instanceof Py.Tuple || o instanceof Py.PyList) plain = false;
            if (plain) return t;
            List<Object> keys = new ArrayList<>();
            for (Object o : t.items()) keys.add(hashKey(o));
            return new Py.Tuple(keys);
        }
        return v;
    }

    // ---------------------------------------------------------------- containers

    long len(Object v) {
        if (v instanceof String s) return s.length();
        if (v instanceof Py.PyList l) return l.items.size();
        if (v instanceof Py.Tuple t) return t.items().size();
        if (v instanceof Py.PyDict d) return d.items.size();
        if (v instanceof PySet s) return s.items.size();
        if (v instanceof Range r) return r.length();
        if (v instanceof TensorLike t) {
            nativeCall();
            return torch.len(this, t);
        }
        if (v instanceof PyInstance) {
            Object r = dunder(v, "__len__");
            if (r != null) return Operators.asLong(r);
        }
        throw raise("TypeError", "object of type '" + typeName(v) + "' has no len()");
    }

    Iterator<Object> iterate(Object v) {
        if (v instanceof Py.PyList l) {
            return new Iterator<>() { // live, like Python's list iterator
                int i;
                @Override public boolean hasNext() { return i < l.items.size(); }
                @Override public Object next() { return l.items.get(i++); }
            };
        }
        if (v instanceof Py.Tuple t) return t.items().iterator();
        if (v instanceof PyIterator it) return it;
        if (v instanceof Range r) {
            return new Iterator<>() {
                long i, n = r.length();
                @Override public boolean hasNext() { return i < n; }
                @Override public Object next() { return r.get(i++); }
            };
        }
        if (v instanceof Py.PyDict d) return new ArrayList<>(d.items.keySet()).iterator();
        if (v instanceof PySet s) return new ArrayList<>(s.items).iterator();
        if (v instanceof String s) {
            List<Object> chars = new ArrayList<>();
            for (int i = 0; i < s.length(); i++) chars.add(String.valueOf(s.charAt(i)));
            return chars.iterator();
        }
        if (v instanceof TensorLike t) {
            nativeCall();
            return torch.iterate(this, t).iterator();
        }
        if (v instanceof PyInstance i) {
            Object iter = dunder(i, "__iter__");
            if (iter != null) {
                if (iter instanceof PyInstance it) return protocolIterator(it);
                return iterate(iter);
            }
            if (i.cls.lookup("__getitem__") != null) return indexIterator(i);
        }
        throw raise("TypeError", "'" + typeName(v) + "' object is not iterable");
    }

    /** Iterates an object with __next__ until it raises StopIteration. */
    private Iterator<Object> protocolIterator(PyInstance it) {
        return new Iterator<>() {
            Object next;
            boolean done;
            private void advance() {
                if (next != null || done) return;
                try {
                    next = dunder(it, "__next__");
                    if (next == null) throw raise("TypeError", "iter() returned non-iterator of type '" + it.cls.name + "'");
                } catch (PyRaise e) {
                    if (!e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("StopIteration"))) throw e;
                    done = true;
                }
            }
            @Override public boolean hasNext() { advance(); return !done; }
            @Override public Object next() {
                advance();
                if (done) throw new NoSuchElementException();
                Object r = next;
                next = null;
                return r;
            }
        };
    }

    /** The old sequence protocol: obj[0], obj[1]... until IndexError. */
    private Iterator<Object> indexIterator(PyInstance obj) {
        List<Object> items = new ArrayList<>();
        for (long k = 0; ; k++) {
            try {
                items.add(dunder(obj, "__getitem__", k));
            } catch (PyRaise e) {
                if (e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("IndexError"))
                        || e.exception.cls.isSubclassOf(Types.EXCEPTIONS.get("StopIteration"))) break;
                throw e;
            }
        }
        return items.iterator();
    }

    List<Object> toList(Object v) {
        if (v instanceof Py.PyList l) return new ArrayList<>(l.items);
        if (v instanceof Py.Tuple t) return t.items();
        List<Object> out = new ArrayList<>();
        iterate(v).forEachRemaining(out::add);
        return out;
    }

    Object getItem(Object obj, Object idx) {
        if (obj instanceof TensorLike t) {
            nativeCall();
            return torch.getItem(this, t, idx);
        }
        if (obj instanceof Py.PyList l) return sequenceItem(l.items, idx, "list", items -> new Py.PyList(items));
        if (obj instanceof Py.Tuple t) return sequenceItem(t.items(), idx, "tuple", Py.Tuple::new);
        if (obj instanceof String s) {
            if (idx instanceof Py.Slice sl) {
                StringBuilder sb = new StringBuilder();
                for (long k : sliceIndices(sl, s.length())) sb.append(s.charAt((int) k));
                return sb.toString();
            }
            return String.valueOf(s.charAt((int) index(idx, s.length(), "string")));
        }
        if (obj instanceof Py.PyDict d) {
            Object r = d.items.get(hashKey(idx));
            if (r == null) throw raise("KeyError", repr(idx));
            return r;
        }
        if (obj instanceof Range r) {
            if (idx instanceof Py.Slice sl) {
                long[] ix = sliceBounds(sl, r.length());
                return new Range(r.get(ix[0]), r.get(ix[0]) + (ix[1] - ix[0]) * r.step(), r.step() * ix[2]);
            }
            return r.get(index(idx, r.length(), "range object"));
        }
        if (obj instanceof PyInstance i) {
            Object res = dunder(i, "__getitem__", idx);
            if (res != null) return res;
        }
        if (obj instanceof PyClass || obj instanceof PyObjects.TypingForm) return obj; // list[int], Optional[int]
        throw raise("TypeError", "'" + typeName(obj) + "' object is not subscriptable");
    }

    private Object sequenceItem(List<Object> items, Object idx, String what, java.util.function.Function<List<Object>, Object> make) {
        if (idx instanceof Py.Slice sl) {
            List<Object> out = new ArrayList<>();
            for (long k : sliceIndices(sl, items.size())) out.add(items.get((int) k));
            return make.apply(out);
        }
        return items.get((int) index(idx, items.size(), what));
    }

    /** A normalized in-range index (negative counts from the end), or an IndexError/TypeError. */
    long index(Object idx, long len, String what) {
        if (idx instanceof PyInstance i && i.cls.lookup("__index__") != null) idx = dunder(i, "__index__");
        if (!Operators.isIntLike(idx))
            throw raise("TypeError", what + " indices must be integers or slices, not " + typeName(idx));
        long k = Operators.asLong(idx);
        if (k < 0) k += len;
        if (k < 0 || k >= len) throw raise("IndexError", what + " index out of range");
        return k;
    }

    /** slice.indices(len): start, stop, step with Python's clamping. */
    long[] sliceBounds(Py.Slice s, long len) {
        long step = s.step() == null ? 1 : sliceInt(s.step());
        if (step == 0) throw raise("ValueError", "slice step cannot be zero");
        long start, stop;
        if (step > 0) {
            start = s.start() == null ? 0 : clamp(sliceInt(s.start()), len, 0, len);
            stop = s.stop() == null ? len : clamp(sliceInt(s.stop()), len, 0, len);
        } else {
            start = s.start() == null ? len - 1 : clamp(sliceInt(s.start()), len, -1, len - 1);
            stop = s.stop() == null ? -1 : clamp(sliceInt(s.stop()), len, -1, len - 1);
        }
        return new long[] {start, stop, step};
    }

    private long sliceInt(Object v) {
        if (!Operators.isIntLike(v)) throw raise("TypeError", "slice indices must be integers or None, not " + typeName(v));
        return Operators.asLong(v);
    }

    private static long clamp(long v, long len, long lo, long hi) {
        if (v < 0) v += len;
        return Math.max(lo, Math.min(hi, v));
    }

    long[] sliceIndices(Py.Slice s, long len) {
        long[] b = sliceBounds(s, len);
        List<Long> out = new ArrayList<>();
        if (b[2] > 0) for (long k = b[0]; k < b[1]; k += b[2]) out.add(k);
        else for (long k = b[0]; k > b[1]; k += b[2]) out.add(k);
        long[] r = new long[out.size()];
        for (int k = 0; k < r.length; k++) r[k] = out.get(k);
        return r;
    }

    void setItem(Object obj, Object idx, Object value) {
        if (obj instanceof TensorLike t) {
            nativeCall();
            torch.setItem(this, t, idx, value);
            return;
        }
        if (obj instanceof Py.PyList l) {
            if (idx instanceof Py.Slice sl) {
                List<Object> repl = toList(value);
                long[] b = sliceBounds(sl, l.items.size());
                if (b[2] == 1) {
                    List<Object> sub = l.items.subList((int) b[0], (int) Math.max(b[0], b[1]));
                    sub.clear();
                    sub.addAll(repl);
                    return;
                }
                long[] ix = sliceIndices(sl, l.items.size());
                if (ix.length != repl.size())
                    throw raise("ValueError", "attempt to assign sequence of size " + repl.size() + " to extended slice of size " + ix.length);
                for (int k = 0; k < ix.length; k++) l.items.set((int) ix[k], repl.get(k));
                return;
            }
            l.items.set((int) index(idx, l.items.size(), "list assignment"), value);
            return;
        }
        if (obj instanceof Py.PyDict d) { d.items.put(hashKey(idx), value); return; }
        if (obj instanceof PyInstance i && dunder(i, "__setitem__", idx, value) != null) return;
        throw raise("TypeError", "'" + typeName(obj) + "' object does not support item assignment");
    }

    void delItem(Object obj, Object idx) {
        if (obj instanceof Py.PyList l) {
            if (idx instanceof Py.Slice sl) {
                long[] ix = sliceIndices(sl, l.items.size());
                for (int k = ix.length - 1; k >= 0; k--) l.items.remove((int) Math.max(ix[k], 0));
                return;
            }
            l.items.remove((int) index(idx, l.items.size(), "list assignment"));
            return;
        }
        if (obj instanceof Py.PyDict d) {
            if (d.items.remove(hashKey(idx)) == null) throw raise("KeyError", repr(idx));
            return;
        }
        if (obj instanceof PyInstance i && dunder(i, "__delitem__", idx) != null) return;
        throw raise("TypeError", "'" + typeName(obj) + "' object does not support item deletion");
    }

    /** Creates and registers a module object (and its parents), linking it as an attribute of its parent. */
    ModuleObject module(String name) {
        ModuleObject m = modules.get(name);
        if (m != null) return m;
        m = new ModuleObject(name, new LinkedHashMap<>());
        m.dict().put("__name__", name);
        modules.put(name, m);
        int dot = name.lastIndexOf('.');
        if (dot > 0) module(name.substring(0, dot)).dict().put(name.substring(dot + 1), m);
        return m;
    }
}
