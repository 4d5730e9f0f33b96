package kc.passes.rules.canonical;

import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;

/** A node computing what an earlier node computes (same op on the same operands) reads that result instead. */
public record ShareCommonSubexpression() implements Rule {
    public static final ShareCommonSubexpression INSTANCE = new ShareCommonSubexpression();

    @Override public String name() { return "share-common-subexpression"; }

    @Override public Rewrite apply(RuleContext ctx, Node n) {
        if (n.op() instanceof Op.Constant) return null; // constants are buffers; equal ones cost nothing
        Node earlier = ctx.earlierAlike(n);
        return earlier == null ? null : new Rewrite.Forward(earlier.result());
    }
}
