package kc.frontend.torch;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.frontend.eval.CallContext;
import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/**
 * Compile-time values of deterministic tensors (.item(), float(t), int(t), tensors used as Python numbers):
 * the tensor's subgraph is cut out of the builder and run with the reference interpreter. A tensor that
 * depends on inputs, parameters or random values has no compile-time value.
 */
final class ConstEval {
    private ConstEval() {}

    static HostTensor evaluate(CallContext ctx, Tensor t, String what) {
        Graph g;
        try {
            g = ctx.graph().build(List.of(t.value()));
        } catch (IllegalStateException e) {
            throw ctx.error(what + " of a tensor that depends on random or input data is not supported (its value is unknown at compile time)");
        }
        Set<Value> external = new HashSet<>(g.inputs());
        external.addAll(g.params());
        if (external.contains(t.value())) throw dataDependent(ctx, what);
        for (Node n : g.nodes()) for (Value o : n.operands()) if (external.contains(o)) throw dataDependent(ctx, what);
        Map<String, HostTensor> params = new java.util.HashMap<>();
        for (Value p : g.params()) params.put(p.name(), HostTensor.zeros(p.type()));
        List<HostTensor> inputs = g.inputs().stream().map(v -> HostTensor.zeros(v.type())).toList();
        return Interpreter.run(g, inputs, params).get(0);
    }

    private static RuntimeException dataDependent(CallContext ctx, String what) {
        return ctx.error(what + " of a tensor that depends on input data or parameters is not supported (its value is unknown at compile time)");
    }

    /** The single element of t as a double. */
    static double scalar(CallContext ctx, Tensor t) {
        if (t.shape().numel() != 1)
            throw ctx.error("a Tensor with " + t.shape().numel() + " elements cannot be converted to Scalar");
        return evaluate(ctx, t, "the value").getFlat(0);
    }

    /** The Python number for t.item(): int for integer dtypes, bool for bool, float otherwise. */
    static Object item(CallContext ctx, Tensor t) {
        double v = scalar(ctx, t);
        if (t.dtype() == kc.ir.graph.DType.BOOL) return v != 0;
        if (!t.dtype().isFloat()) return (long) v;
        return v;
    }
}
