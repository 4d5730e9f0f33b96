package kc.passes.rules.fusion;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.IndexBounds;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;
import kc.passes.rules.RuleSupport;

/**
 * Vertical fusion of a producer into a consumer (a prologue): a Generic without reduction is inlined into a Generic
 * that reads it, by composing the producer's index maps with the consumer's map of it and substituting its body for
 * the read. Works for any consumer: elementwise, reductions and contractions.
 * <p>
 * A producer with no arithmetic (a view: permute, slice, expand, reshape, pad, a cast) costs nothing to inline, so
 * it always is ({@link #VIEWS}, in canonicalisation). A producer that computes is inlined only when that recomputes
 * nothing beyond one evaluation per consumer: every consumer reads each of its elements at most once, at most
 * {@code maxUsers} consumers, and a body of at most {@code maxOperations} operations ({@link #PRODUCERS}).
 */
public record InlineProducer(String name, int maxOperations, int maxUsers) implements Rule {
    public static final InlineProducer VIEWS = new InlineProducer("inline-view", 0, Integer.MAX_VALUE);
    public static final InlineProducer PRODUCERS = new InlineProducer("inline-producer", 40, 4);

    @Override public Rewrite apply(RuleContext ctx, Node c) {
        if (!(c.op() instanceof Op.Generic cg)) return null;
        for (int k = 0; k < c.operands().size(); k++) {
            Node p = ctx.definer(c.operands().get(k));
            if (p == null || !(p.op() instanceof Op.Generic pg) || pg.reduction() != Op.Reduction.NONE) continue;
            if (!inlinable(ctx, c, k, p, pg)) continue;
            Rewrite r = inline(c, cg, k, p, pg);
            if (r != null) return r;
        }
        return null;
    }

    private boolean inlinable(RuleContext ctx, Node c, int k, Node p, Op.Generic pg) {
        if (ctx.isOutput(p.result())) return false;
        DType t = p.result().type().dtype();
        if (t == DType.F16 || t == DType.BF16) return false; // its store rounds; the inlined value would not
        if (((Op.Generic) c.op()).maps().get(k).pad() != null) return false; // padding reads yield the pad, not the body at it
        int ops = RuleSupport.operations(pg.body());
        if (ops > maxOperations) return false;
        if (ops > 0) {
            if (ctx.userCount(p.result()) > maxUsers) return false;
            for (Node u : ctx.users(p.result())) if (!readsEachOnce(u, p)) return false; // else it stays, and inlining only adds work
        }
        return ctx.mayFuse(c, p);
    }

    /** u is a Generic reading p without padding, at most once per element of p (its domain is no larger than p). */
    private static boolean readsEachOnce(Node u, Node p) {
        if (!(u.op() instanceof Op.Generic ug)) return false;
        for (int j = 0; j < u.operands().size(); j++)
            if (u.operands().get(j).id() == p.result().id() && ug.maps().get(j).pad() != null) return false;
        long domain = u.result().type().shape().numel() * Math.max(1, ug.reduceShape().numel());
        return domain <= p.result().type().shape().numel();
    }

    private static Rewrite inline(Node c, Op.Generic cg, int k, Node p, Op.Generic pg) {
        IndexMap at = cg.maps().get(k);
        long[] dims = RuleSupport.domain(c.result().type().shape(), cg);
        // the producer's coordinates become the consumer's map of it; Index(d) in its body needs a plain coordinate
        ScalarExpr[] index = new ScalarExpr[at.rank()];
        for (int d = 0; d < at.rank(); d++)
            if (at.exprs().get(d) instanceof IndexExpr.Dim dd) index[d] = new ScalarExpr.Index(dd.d());
        if (RuleSupport.usesIndex(pg.body()) && !RuleSupport.indexDimsCovered(pg.body(), index)) return null;

        RuleSupport.Operands ops = new RuleSupport.Operands();
        int[] consumerSlot = new int[c.operands().size()];
        for (int j = 0; j < c.operands().size(); j++)
            consumerSlot[j] = j == k ? -1 : ops.add(c.operands().get(j), cg.maps().get(j));
        int[] producerSlot = new int[p.operands().size()];
        List<DType> producerTypes = new ArrayList<>();
        for (int i = 0; i < p.operands().size(); i++) {
            Value v = p.operands().get(i);
            IndexMap composed = RuleSupport.compose(pg.maps().get(i), at);
            if (composed.pad() == null && !IndexBounds.isEmpty(dims) && IndexBounds.outOfRangeReason(composed, v.type().shape(), dims) != null)
                return null; // in range, but not provably so after composing: the verifier would reject it
            producerSlot[i] = ops.add(v, composed);
            producerTypes.add(v.type().dtype());
        }
        ScalarExpr inlined = RuleSupport.asDtype(
                RuleSupport.substitute(pg.body(), i -> ScalarExpr.read(producerSlot[i]), d -> index[d], null),
                p.result().type().dtype(), producerTypes);
        ScalarExpr body = RuleSupport.substitute(cg.body(), j -> j == k ? inlined : ScalarExpr.read(consumerSlot[j]), d -> null, null);
        ScalarExpr epilogue = cg.epilogue() == null ? null
                : RuleSupport.substitute(cg.epilogue(), j -> j == k ? inlined : ScalarExpr.read(consumerSlot[j]), d -> null, null);
        List<Origin> absorbed = new ArrayList<>(c.absorbed());
        absorbed.add(p.origin());
        absorbed.addAll(p.absorbed());
        return new Rewrite.Replace(new Node(c.result(), ops.generic(cg, body, epilogue), ops.values, c.origin(), absorbed));
    }
}
