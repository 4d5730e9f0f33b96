package kc.passes.rules.fusion;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;
import kc.passes.rules.RuleSupport;

/**
 * Epilogue fusion: an elementwise consumer of a reduction or contraction, reading it at the output point, becomes
 * that op's epilogue: applied to each combined value before the store (bias, activation, scale, residual add, clamp,
 * min/max; {@code log(sum) + max} of a logsumexp). The consumer's other operands are read at the output point. The
 * reduction must have no other reader, or it would be stored anyway.
 */
public record FuseEpilogue() implements Rule {
    public static final FuseEpilogue INSTANCE = new FuseEpilogue();

    @Override public String name() { return "fuse-epilogue"; }

    @Override public Rewrite apply(RuleContext ctx, Node c) {
        if (!(c.op() instanceof Op.Generic cg) || cg.reduction() != Op.Reduction.NONE) return null;
        for (int k = 0; k < c.operands().size(); k++) {
            Node r = ctx.definer(c.operands().get(k));
            if (r == null || !(r.op() instanceof Op.Generic rg) || rg.reduction() == Op.Reduction.NONE) continue;
            if (fusable(ctx, c, cg, r)) return fuse(c, cg, r, rg);
        }
        return null;
    }

    private static boolean fusable(RuleContext ctx, Node c, Op.Generic cg, Node r) {
        if (ctx.isOutput(r.result()) || ctx.userCount(r.result()) != 1) return false;
        if (!r.result().type().shape().equals(c.result().type().shape())) return false;
        DType t = r.result().type().dtype();
        if (t == DType.F16 || t == DType.BF16) return false; // its store rounds; the epilogue would see the unrounded value
        for (int j = 0; j < c.operands().size(); j++)
            if (c.operands().get(j).id() == r.result().id() && !RuleSupport.isIdentity(cg.maps().get(j), c.result().type().shape()))
                return false;
        return ctx.mayFuse(r, c);
    }

    private static Rewrite fuse(Node c, Op.Generic cg, Node r, Op.Generic rg) {
        RuleSupport.Operands ops = new RuleSupport.Operands();
        List<DType> reductionTypes = new ArrayList<>();
        for (int i = 0; i < r.operands().size(); i++) {
            ops.add(r.operands().get(i), rg.maps().get(i)); // first: the body's reads keep their indices
            reductionTypes.add(r.operands().get(i).type().dtype());
        }
        if (ops.values.size() != r.operands().size()) return null; // a reduction reading one thing twice the same way: leave it
        int[] slot = new int[c.operands().size()];
        for (int j = 0; j < c.operands().size(); j++)
            slot[j] = c.operands().get(j).id() == r.result().id() ? -1 : ops.add(c.operands().get(j), cg.maps().get(j));
        DType reducedType = r.result().type().dtype();
        ScalarExpr combined = rg.epilogue() == null ? new ScalarExpr.Reduced(reducedType)
                : RuleSupport.asDtype(rg.epilogue(), reducedType, reductionTypes);
        ScalarExpr epilogue = RuleSupport.substitute(cg.body(), j -> slot[j] < 0 ? combined : ScalarExpr.read(slot[j]), d -> null, null);
        List<Origin> absorbed = new ArrayList<>(r.absorbed());
        absorbed.add(c.origin());
        absorbed.addAll(c.absorbed());
        return new Rewrite.Replace(new Node(c.result(), ops.generic(rg, rg.body(), epilogue), ops.values, r.origin(), absorbed));
    }
}
