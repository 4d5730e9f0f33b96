package kc.frontend.eval;

import java.util.List;
import java.util.Map;

import kc.frontend.CompileError;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Origin;

/** What the evaluator gives a {@link Builtin} while it runs. */
public interface CallContext {
    /** The graph under construction (one builder for the whole evaluation; see GraphBuilder#build's cuts). */
    GraphBuilder graph();

    /**
     * The origin for a node created now. {@code primitive} names the op being emitted ("add", "conv2d"...). When
     * the call happens inside a function of kc's Python prelude (e.g. softmax decomposed in Python), the
     * origin's composite is that outermost prelude function's name instead, with one instance number per call,
     * so all nodes of one softmax share composite "softmax" and an instance. Module path and source position
     * are those of the user's code being executed.
     */
    Origin origin(String primitive);

    /** An error at the user's current source position (the innermost user-code call site). */
    CompileError error(String message);

    /** Calls any Python callable (a function, a class, a bound method, a module instance) with arguments. */
    Object call(Object callable, List<Object> args, Map<String, Object> kwargs);

    /** Python truthiness, attribute lookup and repr of any value, with the evaluator's full semantics. */
    boolean truthy(Object value);
    Object getAttr(Object value, String name);
    String repr(Object value);
}
