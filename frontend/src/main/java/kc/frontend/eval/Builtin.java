package kc.frontend.eval;

import java.util.List;
import java.util.Map;

/** A function implemented in Java, callable from Python code (torch.*, F.*, tensor methods, builtins). */
@FunctionalInterface
public interface Builtin {
    /**
     * @param args   positional arguments, already evaluated (a bound method's self first)
     * @param kwargs keyword arguments in call order
     * @throws kc.frontend.CompileError via {@link CallContext#error} for anything the user must fix
     */
    Object call(CallContext ctx, List<Object> args, Map<String, Object> kwargs);
}
