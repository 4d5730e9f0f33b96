package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import kc.frontend.CompileError;
import kc.frontend.eval.CallContext;
import kc.frontend.eval.NativeFunction;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;

/** Arguments bound by a {@link Sig}, with typed accessors that fail with PyTorch-like messages. */
public final class Args {
    private final CallContext ctx;
    private final String fn;
    private final Map<String, Object> values;
    private final List<Object> varargs;
    private final Map<String, Object> varkw;

    Args(CallContext ctx, String fn, Map<String, Object> values, List<Object> varargs, Map<String, Object> varkw) {
        this.ctx = ctx;
        this.fn = fn;
        this.values = values;
        this.varargs = varargs;
        this.varkw = varkw;
    }

    public CallContext ctx() { return ctx; }
    /** The function's name, as its signature spells it. */
    String fn() { return fn; }
    public Object get(String name) { return values.get(name); }
    public boolean isNone(String name) { return values.get(name) == Py.NONE; }
    public List<Object> varargs() { return varargs; }
    public Map<String, Object> varkw() { return varkw; }

    public CompileError error(String message) { return ctx.error(message); }

    private CompileError typeError(String name, String expected) {
        return ctx.error(fn + "(): argument '" + name + "' must be " + expected + ", not " + typeName(values.get(name)));
    }

    public Tensor tensor(String name) {
        if (values.get(name) instanceof Tensor t) return t;
        throw typeError(name, "Tensor");
    }

    public ComplexTensor complex(String name) {
        if (values.get(name) instanceof ComplexTensor z) return z;
        throw typeError(name, "a complex Tensor");
    }

    /** The name of the first parameter (self for a method, input for most torch functions). */
    String first() { return values.keySet().iterator().next(); }

    /** These arguments with one replaced: how an op runs per part of a complex argument. */
    Args with(String name, Object value) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(values);
        copy.put(name, value);
        return new Args(ctx, fn, copy, varargs, varkw);
    }

    /** Whether some argument is a complex tensor or dtype, itself or inside a tuple or list (Registry dispatches on it). */
    boolean hasComplex() {
        for (Object v : values.values()) if (isComplex(v)) return true;
        for (Object v : varargs) if (isComplex(v)) return true;
        for (Object v : varkw.values()) if (isComplex(v)) return true;
        return false;
    }

    /** Whether the arguments other than {@code name} are free of complex values. */
    boolean complexOnlyIn(String name) {
        for (var e : values.entrySet()) if (!e.getKey().equals(name) && isComplex(e.getValue())) return false;
        for (Object v : varargs) if (isComplex(v)) return false;
        for (Object v : varkw.values()) if (isComplex(v)) return false;
        return true;
    }

    static boolean isComplex(Object v) {
        if (v instanceof ComplexTensor || v instanceof ComplexDType) return true;
        List<Object> items = seq(v);
        if (items != null) for (Object o : items) if (o instanceof ComplexTensor || o instanceof ComplexDType) return true;
        return false;
    }

    public Tensor optTensor(String name) {
        Object v = values.get(name);
        if (v == Py.NONE) return null;
        if (v instanceof Tensor t) return t;
        throw typeError(name, "Tensor");
    }

    public long integer(String name) {
        Long v = asInt(values.get(name));
        if (v == null) throw typeError(name, "int");
        return v;
    }

    public Long optInt(String name) { return isNone(name) ? null : integer(name); }

    public double dbl(String name) {
        Object v = values.get(name);
        if (v instanceof Double d) return d;
        Long l = asInt(v);
        if (l != null) return l;
        if (v instanceof Tensor t) return ConstEval.scalar(ctx, t);
        throw typeError(name, "float");
    }

    public Double optDbl(String name) { return isNone(name) ? null : dbl(name); }

    public boolean bool(String name) {
        Object v = values.get(name);
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v == Py.NONE) return false;
        throw typeError(name, "bool");
    }

    public String str(String name) {
        if (values.get(name) instanceof String s) return s;
        throw typeError(name, "str");
    }

    public String optStr(String name) { return isNone(name) ? null : str(name); }

    /** An int, or a tuple/list of exactly {@code n} ints (stride=2 means (2, 2) for conv2d). */
    public long[] ints(String name, int n) {
        Object v = values.get(name);
        Long single = asInt(v);
        if (single != null) {
            long[] r = new long[n];
            java.util.Arrays.fill(r, single);
            return r;
        }
        long[] r = intSeq(v);
        if (r == null) throw typeError(name, "tuple of ints");
        if (r.length == 1 && n > 1) { long x = r[0]; r = new long[n]; java.util.Arrays.fill(r, x); }
        if (r.length != n) throw ctx.error(fn + "(): argument '" + name + "' must have " + n + " elements, not " + r.length);
        return r;
    }

    /** A tuple/list of ints, or a single int as a one-element list. */
    public long[] intList(String name) {
        Object v = values.get(name);
        Long single = asInt(v);
        if (single != null) return new long[] {single};
        long[] r = intSeq(v);
        if (r == null) throw typeError(name, "tuple of ints");
        return r;
    }

    /**
     * A size given PyTorch's two ways, {@code f(2, 3)} or {@code f((2, 3))}: the named first parameter plus the
     * *varargs. {@code name} may be None-defaulted when the size is optional.
     */
    public long[] sizeArgs(String name) {
        Object first = values.get(name);
        if (varargs.isEmpty() && asInt(first) == null) {
            long[] r = intSeq(first);
            if (r == null) throw typeError(name, "tuple of ints");
            return r;
        }
        List<Object> all = new ArrayList<>();
        all.add(first);
        all.addAll(varargs);
        long[] r = new long[all.size()];
        for (int i = 0; i < r.length; i++) {
            Long l = asInt(all.get(i));
            if (l == null) throw ctx.error(fn + "(): argument '" + name + "' must be tuple of ints, but found element of type "
                    + typeName(all.get(i)) + " at pos " + i);
            r[i] = l;
        }
        return r;
    }

    /** A dtype argument (torch.float32, or Python's float/int/bool), or null when None. */
    public DType dtype(String name) {
        Object v = values.get(name);
        if (v == Py.NONE) return null;
        DType d = asDType(ctx, v);
        if (d == null) throw typeError(name, "torch.dtype");
        return d;
    }

    public static DType asDType(CallContext ctx, Object v) {
        if (v instanceof DType d) return d;
        String n = v instanceof NativeFunction nf ? nf.qualifiedName() : null;
        if (n == null && v != null && !(v instanceof Tensor)) {
            String r = ctx.repr(v);
            if (r.equals("<class 'float'>")) n = "float";
            else if (r.equals("<class 'int'>")) n = "int";
            else if (r.equals("<class 'bool'>")) n = "bool";
        }
        if (n == null) return null;
        return switch (n) {
            case "float", "builtins.float" -> DType.F32;
            case "int", "builtins.int" -> DType.I64;
            case "bool", "builtins.bool" -> DType.BOOL;
            default -> null;
        };
    }

    static Long asInt(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Integer i) return i.longValue();
        return null;
    }

    static long[] intSeq(Object v) {
        List<Object> items = seq(v);
        if (items == null) return null;
        long[] r = new long[items.size()];
        for (int i = 0; i < r.length; i++) {
            Long l = asInt(items.get(i));
            if (l == null) return null;
            r[i] = l;
        }
        return r;
    }

    /** The items of a tuple or list, or null. */
    static List<Object> seq(Object v) {
        if (v instanceof Py.Tuple t) return t.items();
        if (v instanceof Py.PyList l) return l.items;
        return null;
    }

    static String typeName(Object v) {
        if (v == Py.NONE) return "NoneType";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof Boolean) return "bool";
        if (v instanceof String) return "str";
        if (v instanceof Tensor) return "Tensor";
        if (v instanceof ComplexTensor) return "complex Tensor";
        if (v instanceof Py.Tuple) return "tuple";
        if (v instanceof Py.PyList) return "list";
        if (v instanceof Py.PyDict) return "dict";
        if (v instanceof DType) return "torch.dtype";
        return v == null ? "NoneType" : v.getClass().getSimpleName();
    }
}
