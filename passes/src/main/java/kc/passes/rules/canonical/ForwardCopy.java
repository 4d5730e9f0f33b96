package kc.passes.rules.canonical;

import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;
import kc.passes.rules.RuleSupport;

/**
 * Drops a node that copies its operand unchanged (contiguous, clone, a reshape or view to the same shape, dropout
 * as the identity, x * 1 once simplified): its readers read the operand instead.
 */
public record ForwardCopy() implements Rule {
    public static final ForwardCopy INSTANCE = new ForwardCopy();

    @Override public String name() { return "forward-copy"; }

    @Override public Rewrite apply(RuleContext ctx, Node n) {
        if (!(n.op() instanceof Op.Generic g) || g.reduction() != Op.Reduction.NONE) return null;
        if (!(g.body() instanceof ScalarExpr.Read r)) return null;
        Value source = n.operands().get(r.operand());
        if (!source.type().equals(n.result().type())) return null;
        if (!RuleSupport.isIdentity(g.maps().get(r.operand()), n.result().type().shape())) return null;
        // an output that is also an input or another output still needs its own buffer: the lowering copies it then
        return new Rewrite.Forward(source);
    }
}
