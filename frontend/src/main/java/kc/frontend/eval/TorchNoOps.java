package kc.frontend.eval;

import java.util.List;
import java.util.Map;

/**
 * Parts of torch that only change how PyTorch runs code, not what it computes, so they are no-ops for kc:
 * grad-mode context managers/decorators (torch.no_grad...) and TorchScript/compile decorators (torch.jit.ignore,
 * torch.compile...). Installed only where the torch library does not define the name itself.
 */
final class TorchNoOps {
    private TorchNoOps() {}

    /** A grad mode: usable as {@code with torch.no_grad():} and as {@code @torch.no_grad()}. */
    private static final PyClass GRAD_MODE = PyClass.builtin("_kc_grad_mode", List.of(Types.OBJECT));

    static {
        GRAD_MODE.dict.put("__init__", new NativeFunction("grad_mode.__init__", (ctx, a, kw) -> Py.NONE));
        GRAD_MODE.dict.put("__enter__", new NativeFunction("grad_mode.__enter__", (ctx, a, kw) -> Py.NONE));
        GRAD_MODE.dict.put("__exit__", new NativeFunction("grad_mode.__exit__", (ctx, a, kw) -> false));
        GRAD_MODE.dict.put("__call__", new NativeFunction("grad_mode.__call__", (ctx, a, kw) -> a.get(1)));
    }

    /** A decorator that may be used bare (@torch.jit.ignore) or called with options (@torch.jit.ignore(drop=True)). */
    private static NativeFunction decorator(String name) {
        return new NativeFunction(name, (ctx, a, kw) -> {
            if (a.size() == 1 && Types.isCallableValue(a.get(0))) return a.get(0);
            return new NativeFunction(name, (c2, a2, kw2) -> a2.get(0));
        });
    }

    static void install(PyRuntime rt) {
        Map<String, Object> torch = rt.module("torch").dict();
        for (String mode : List.of("no_grad", "enable_grad", "inference_mode"))
            torch.putIfAbsent(mode, modeClass(mode));
        torch.putIfAbsent("compile", decorator("torch.compile"));
        Map<String, Object> autograd = rt.module("torch.autograd").dict();
        autograd.putIfAbsent("no_grad", torch.get("no_grad"));
        autograd.putIfAbsent("enable_grad", torch.get("enable_grad"));
        Map<String, Object> jit = rt.module("torch.jit").dict();
        for (String d : List.of("ignore", "unused", "export", "script", "trace", "script_method", "interface", "final"))
            jit.putIfAbsent(d, decorator("torch.jit." + d));
        jit.putIfAbsent("is_scripting", new NativeFunction("torch.jit.is_scripting", (ctx, a, kw) -> false));
        jit.putIfAbsent("is_tracing", new NativeFunction("torch.jit.is_tracing", (ctx, a, kw) -> false));
    }

    private static PyClass modeClass(String name) {
        PyClass c = PyClass.builtin(name, List.of(GRAD_MODE));
        // @torch.no_grad without parentheses receives the function itself.
        c.nativeConstructor = (ctx, a, kw) -> a.size() == 1 && kw.isEmpty() && (a.get(0) instanceof PyFunction
                || a.get(0) instanceof PyObjects.BoundMethod) ? a.get(0) : new PyInstance(c, false);
        return c;
    }
}
