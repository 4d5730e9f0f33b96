package kc.passes.rules.canonical;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;

/**
 * A small op whose operands are all constants (or that has none: arange, tril masks, eye) becomes a constant,
 * computed once here by the reference interpreter with PyTorch's rounding; it then costs a buffer, not a kernel.
 */
public record FoldConstants(long maxElements) implements Rule {
    /** Larger results stay kernels: a constant is stored in the launch plan. */
    public static final FoldConstants INSTANCE = new FoldConstants(4096);

    @Override public String name() { return "fold-constants"; }

    @Override public Rewrite apply(RuleContext ctx, Node n) {
        if (n.op() instanceof Op.Constant) return null;
        if (n.result().type().shape().numel() > maxElements) return null;
        for (int i = 0; i < n.operands().size(); i++) { // before anything is built: most nodes read no constant
            Node d = ctx.definer(n.operands().get(i));
            if (d == null || !(d.op() instanceof Op.Constant)) return null;
        }
        List<Node> definers = new ArrayList<>();
        for (Value v : n.operands()) if (!definers.contains(ctx.definer(v))) definers.add(ctx.definer(v));
        definers.add(n);
        Graph alone = new Graph("fold", List.of(), List.of(), definers, List.of(n.result()));
        HostTensor t = Interpreter.run(alone, List.of(), java.util.Map.of()).get(0);
        List<Double> values = new ArrayList<>(t.numel());
        for (int i = 0; i < t.numel(); i++) values.add(t.getFlat(i));
        return new Rewrite.Replace(new Node(n.result(), new Op.Constant(values), List.of(), n.origin(), n.absorbed()));
    }
}
