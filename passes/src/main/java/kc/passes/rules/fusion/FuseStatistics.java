package kc.passes.rules.fusion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;
import kc.passes.rules.RuleSupport;
import kc.passes.schedule.VectorAccess;

/**
 * Horizontal fusion of a reduction with the reduction that needs it: two passes over the same terms become one
 * compound reduction ({@link Op.Reduction#MAX_SUMEXP}, {@link Op.Reduction#MEAN_M2}) whose statistics are stacked
 * along a new last dim, read through views.
 * <ul>
 *   <li>{@code m = max(v); s = sum(exp(v - m))}, softmax's, log-softmax's and logsumexp's, becomes online softmax.</li>
 *   <li>{@code mean = sum(v) / N; q = sum((v - mean)^2)}, every norm's and var's, becomes Welford's mean and M2.</li>
 * </ul>
 * Matched at the first reduction ({@code m}, {@code mean}); the second must read it at the output point, over the
 * same reduction domain and the same terms v (the same operands through the same maps). A pure epilogue of the
 * second (rsqrt(q / N + eps)) moves into the compound's, for its statistic; one that reads operands (log(s) + m)
 * stays behind in a pointwise node over the statistics. Float32 and float64 only: a narrower stored max or mean
 * would round before the second pass sees it, and the fused form would not.
 */
public record FuseStatistics() implements Rule {
    public static final FuseStatistics INSTANCE = new FuseStatistics();

    /** Welford's count is a float of the accumulation type: exact up to 2^24 terms in fp32. */
    static final long MAX_COUNTED = 1L << 24;

    @Override public String name() { return "fuse-statistics"; }

    @Override public Rewrite apply(RuleContext ctx, Node a) {
        if (!(a.op() instanceof Op.Generic ag)) return null;
        DType t = a.result().type().dtype();
        if (t != DType.F32 && t != DType.F64) return null;
        Op.Reduction kind = firstOf(ag);
        if (kind == null) return null;
        if (kind == Op.Reduction.MEAN_M2 && ag.reduceShape().numel() > MAX_COUNTED) return null;
        for (Node b : ctx.users(a.result())) {
            ScalarExpr terms = secondTerms(kind, a, ag, b);
            if (terms != null && sameTerms(a, ag, ag.body(), b, (Op.Generic) b.op(), terms) && ctx.mayFuse(a, b))
                return fuse(ctx, kind, a, ag, b, (Op.Generic) b.op());
        }
        return null;
    }

    /** The compound a first reduction can start: a plain max, or a sum whose epilogue divides by the length. */
    private static Op.Reduction firstOf(Op.Generic g) {
        if (g.reduction() == Op.Reduction.MAX && g.epilogue() == null) return Op.Reduction.MAX_SUMEXP;
        if (g.reduction() == Op.Reduction.SUM && g.epilogue() != null && isMean(g.epilogue(), g.reduceShape().numel())) return Op.Reduction.MEAN_M2;
        return null;
    }

    private static boolean isMean(ScalarExpr e, long n) {
        if (!(e instanceof ScalarExpr.Binary b) || !(b.a() instanceof ScalarExpr.Reduced) || !(b.b() instanceof ScalarExpr.Const c)) return false;
        return b.op() == ScalarExpr.BinaryOp.DIV && c.value() == n || b.op() == ScalarExpr.BinaryOp.MUL && c.value() == 1.0 / n;
    }

    /**
     * The terms v of a second reduction b of first reduction a's kind (b's body over b's operands), or null: b sums
     * exp(v - a) or (v - a)^2 over a's reduction domain and result shape, reading a only there, at the output point.
     */
    private static ScalarExpr secondTerms(Op.Reduction kind, Node a, Op.Generic ag, Node b) {
        if (!(b.op() instanceof Op.Generic bg) || bg.reduction() != Op.Reduction.SUM) return null;
        if (!bg.reduceShape().equals(ag.reduceShape()) || !b.result().type().equals(a.result().type())) return null;
        Shape result = a.result().type().shape();
        for (int k = 0; k < b.operands().size(); k++)
            if (b.operands().get(k).id() == a.result().id() && !RuleSupport.isIdentity(bg.maps().get(k), result)) return null;
        ScalarExpr v = null;
        if (kind == Op.Reduction.MAX_SUMEXP) {
            if (bg.body() instanceof ScalarExpr.Unary u && u.op() == ScalarExpr.UnaryOp.EXP) v = deviation(u.a(), a, b);
        } else if (bg.body() instanceof ScalarExpr.Binary sq) {
            if (sq.op() == ScalarExpr.BinaryOp.MUL && sq.a().equals(sq.b())) v = deviation(sq.a(), a, b);
            if (sq.op() == ScalarExpr.BinaryOp.POW && sq.b() instanceof ScalarExpr.Const two && two.value() == 2) v = deviation(sq.a(), a, b);
        }
        return v == null || reads(v, a, b) ? null : v;
    }

    /** v for e = v - a (a read of the first reduction's result), else null. */
    private static ScalarExpr deviation(ScalarExpr e, Node a, Node b) {
        if (e instanceof ScalarExpr.Binary d && d.op() == ScalarExpr.BinaryOp.SUB && d.b() instanceof ScalarExpr.Read r
                && b.operands().get(r.operand()).id() == a.result().id()) return d.a();
        return null;
    }

    private static boolean reads(ScalarExpr e, Node a, Node b) {
        return VectorAccess.reads(e).stream().anyMatch(k -> b.operands().get(k).id() == a.result().id());
    }

    /** Whether two bodies compute the same terms: equal once each read names its value and map instead of a slot. */
    private static boolean sameTerms(Node a, Op.Generic ag, ScalarExpr va, Node b, Op.Generic bg, ScalarExpr vb) {
        Map<String, Integer> keys = new HashMap<>();
        return canonical(va, a, ag, keys).equals(canonical(vb, b, bg, keys));
    }

    private static ScalarExpr canonical(ScalarExpr e, Node n, Op.Generic g, Map<String, Integer> keys) {
        return RuleSupport.substitute(e, k -> ScalarExpr.read(keys.computeIfAbsent(
                n.operands().get(k).id() + " " + g.maps().get(k), x -> keys.size())), d -> null, null);
    }

    private static Rewrite fuse(RuleContext ctx, Op.Reduction kind, Node a, Op.Generic ag, Node b, Op.Generic bg) {
        Shape result = a.result().type().shape();
        int r = result.rank();
        // the compound's domain: a's result dims, the statistic's index (dim r), then a's reduction dims shifted by one
        List<IndexExpr> shift = new ArrayList<>();
        for (int d = 0; d < r + ag.reduceShape().rank(); d++) shift.add(new IndexExpr.Dim(d < r ? d : d + 1));
        List<IndexMap> maps = new ArrayList<>();
        for (IndexMap m : ag.maps()) maps.add(RuleSupport.compose(m, new IndexMap(shift, null)));
        ScalarExpr body = RuleSupport.substitute(ag.body(), k -> null, d -> d < r ? null : new ScalarExpr.Index(d + 1), null);

        DType t = a.result().type().dtype();
        ScalarExpr second = bg.epilogue();
        boolean secondInside = second == null || VectorAccess.reads(second).isEmpty();
        ScalarExpr epilogue = null;
        if (second != null && secondInside) // the first statistic as it is (max; the mean), the second through b's epilogue
            epilogue = new ScalarExpr.Select(new ScalarExpr.Binary(ScalarExpr.BinaryOp.EQ, new ScalarExpr.Index(r), new ScalarExpr.Const(0, DType.I64)),
                    new ScalarExpr.Reduced(t), second);
        Op.Generic stats = new Op.Generic(ag.reduceShape(), maps, body, kind, epilogue);
        Value statsValue = new Value(ctx.freshId(), new TensorType(t, withStatistics(result, kind.components())), null);
        List<Origin> absorbed = new ArrayList<>(a.absorbed());
        absorbed.add(b.origin());
        absorbed.addAll(b.absorbed());
        Node statsNode = new Node(statsValue, stats, a.operands(), a.origin(), absorbed);

        Node first = new Node(a.result(), statistic(r, 0), List.of(statsValue), a.origin(), List.of());
        Node secondNode;
        if (secondInside) {
            secondNode = new Node(b.result(), statistic(r, 1), List.of(statsValue), b.origin(), List.of());
        } else { // b's epilogue, pointwise over the statistic and what it reads at the output point
            RuleSupport.Operands ops = new RuleSupport.Operands();
            int q = ops.add(statsValue, statisticMap(r, 1));
            ScalarExpr e = RuleSupport.substitute(second, k -> ScalarExpr.read(ops.add(b.operands().get(k), bg.maps().get(k))), d -> null, ScalarExpr.read(q));
            secondNode = new Node(b.result(), new Op.Generic(Shape.SCALAR, ops.maps, e, Op.Reduction.NONE), ops.values, b.origin(), List.of());
        }
        return new Rewrite.Replace(first, List.of(statsNode), List.of(secondNode));
    }

    private static Shape withStatistics(Shape result, int components) {
        List<Long> dims = new ArrayList<>();
        for (int d = 0; d < result.rank(); d++) dims.add(result.dim(d));
        dims.add((long) components);
        return Shape.of(dims);
    }

    /** A view of statistic j of a compound result: its element at the output point. */
    private static Op.Generic statistic(int resultRank, int j) {
        return new Op.Generic(Shape.SCALAR, List.of(statisticMap(resultRank, j)), ScalarExpr.read(0), Op.Reduction.NONE);
    }

    private static IndexMap statisticMap(int resultRank, int j) {
        List<IndexExpr> at = new ArrayList<>();
        for (int d = 0; d < resultRank; d++) at.add(new IndexExpr.Dim(d));
        at.add(new IndexExpr.Const(j));
        return new IndexMap(at, null);
    }
}
