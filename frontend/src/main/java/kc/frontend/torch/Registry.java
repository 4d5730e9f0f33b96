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
 * their implementation with the torch.* function of the same name, self bound as the first argument).
 */
final class Registry {
    /** A native implementation over bound arguments. */
    @FunctionalInterface
    interface Impl { Object apply(Args a); }

    final Map<String, Map<String, Object>> modules = new LinkedHashMap<>();
    final Map<String, Builtin> methods = new HashMap<>();
    /** Tensor methods written in Python (the prelude registers them): name to callable. */
    final Map<String, Object> pyMethods = new HashMap<>();

    Map<String, Object> module(String name) { return modules.computeIfAbsent(name, k -> new LinkedHashMap<>()); }

    static Builtin builtin(String signature, Impl impl) {
        Sig sig = Sig.parse(signature);
        return (ctx, args, kwargs) -> {
            Args bound = sig.bind(ctx, args, kwargs);
            try {
                return impl.apply(bound);
            } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException | ClassCastException e) {
                // A shape or value the checks above missed: still the user's position, never a stack trace.
                throw ctx.error(sig.name() + "(): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        };
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
            if (args.isEmpty() || !(args.get(0) instanceof Tensor self)) throw ctx.error("in-place operation needs a tensor");
            Object r = b.call(ctx, args, kwargs);
            if (!(r instanceof Tensor t)) return r;
            if (!t.shape().equals(self.shape()))
                throw ctx.error("output with shape " + self.shape() + " doesn't match the broadcast shape " + t.shape());
            self.rebind(Elementwise.cast(ctx, t, self.dtype()).value());
            return self;
        };
    }

    /** A bound method: the builtin with self prepended. */
    static NativeFunction bind(String name, Builtin b, Tensor self) {
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
