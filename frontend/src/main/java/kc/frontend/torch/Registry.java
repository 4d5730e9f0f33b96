package kc.frontend.torch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.Builtin;
import kc.frontend.eval.NativeFunction;

/**
 * The tables of native functions: module name to member name to value, and the tensor methods (which share
 * their implementation with the torch.* function of the same name, self bound as the first argument). A call
 * with a complex argument goes to the complex table instead, by the function's name (see {@link ComplexOps}).
 */
final class Registry {
    /** A native implementation over bound arguments. */
    @FunctionalInterface
    interface Impl { Object apply(Args a); }

    final Map<String, Map<String, Object>> modules = new LinkedHashMap<>();
    final Map<String, Builtin> methods = new HashMap<>();
    /** Tensor methods written in Python (the prelude registers them): name to callable. */
    final Map<String, Object> pyMethods = new HashMap<>();
    /**
     * What a function or method does with complex arguments, by name (torch.reshape and Tensor.reshape share an
     * entry); a name missing here is an error when an argument is complex.
     */
    final Map<String, ComplexOps.Impl> complexImpls = new HashMap<>();

    Map<String, Object> module(String name) { return modules.computeIfAbsent(name, k -> new LinkedHashMap<>()); }

    Builtin builtin(String signature, Impl impl) {
        Sig sig = Sig.parse(signature);
        return (ctx, args, kwargs) -> {
            Args bound = sig.bind(ctx, args, kwargs);
            try {
                // The real implementations never see a complex value: one check here, not one per op.
                if (bound.hasComplex()) return complex(sig.name(), bound, impl);
                return impl.apply(bound);
            } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException | ClassCastException e) {
                // A shape or value the checks above missed: still the user's position, never a stack trace.
                throw ctx.error(sig.name() + "(): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        };
    }

    private Object complex(String name, Args a, Impl real) {
        ComplexOps.Impl c = complexImpls.get(name);
        if (c == null) throw ComplexOps.unsupported(a.ctx(), name.replaceFirst("^_kc_", "") + "() with complex values"); // _kc_max: torch.max's
        return c.apply(a, real);
    }

    /** Registers a function in a module. */
    void fn(String module, String signature, Impl impl) {
        Sig sig = Sig.parse(signature);
        module(module).put(sig.name(), new NativeFunction(module + "." + sig.name(), builtin(signature, impl)));
    }

    void constant(String module, String name, Object value) { module(module).put(name, value); }

    /** Registers a tensor method, and its in-place twin name_ that rebinds self to the result. */
    void method(String signature, Impl impl) {
        Sig sig = Sig.parse(signature);
        Builtin b = builtin(signature, impl);
        methods.put(sig.name(), b);
        if (!sig.name().endsWith("_") && !methods.containsKey(sig.name() + "_")) methods.put(sig.name() + "_", inPlace(b));
    }

    /** Registers torch.NAME and the tensor method NAME with one signature whose first parameter is self. */
    void both(String signature, Impl impl) {
        fn("torch", signature, impl);
        method(signature, impl);
    }

    /** f(self, ...) computed out of place, then self rebound to the result (cast to self's dtype). */
    static Builtin inPlace(Builtin b) {
        return (ctx, args, kwargs) -> {
            if (!args.isEmpty() && args.get(0) instanceof ComplexTensor) throw ComplexOps.unsupported(ctx, "an in-place operation on a complex tensor");
            if (args.isEmpty() || !(args.get(0) instanceof Tensor self)) throw ctx.error("in-place operation needs a tensor");
            Object r = b.call(ctx, args, kwargs);
            if (r instanceof ComplexTensor z) throw ctx.error("result type " + z.dtype() + " can't be cast to the desired output type torch." + self.dtype().torchName());
            if (!(r instanceof Tensor t)) return r;
            if (!t.shape().equals(self.shape()))
                throw ctx.error("output with shape " + self.shape() + " doesn't match the broadcast shape " + t.shape());
            self.rebind(Elementwise.cast(ctx, t, self.dtype()).value());
            return self;
        };
    }

    /** A bound method: the builtin with self prepended. */
    static NativeFunction bind(String name, Builtin b, TensorLike self) {
        return new NativeFunction("Tensor." + name, (ctx, args, kwargs) -> {
            List<Object> all = new ArrayList<>(args.size() + 1);
            all.add(self);
            all.addAll(args);
            return b.call(ctx, all, kwargs);
        });
    }

    static NativeFunction bindPython(String name, Object callable, Tensor self) {
        return new NativeFunction("Tensor." + name, (ctx, args, kwargs) -> {
            List<Object> all = new ArrayList<>(args.size() + 1);
            all.add(self);
            all.addAll(args);
            return ctx.call(callable, all, kwargs);
        });
    }
}
