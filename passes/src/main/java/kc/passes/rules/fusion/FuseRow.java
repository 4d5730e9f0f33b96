package kc.passes.rules.fusion;

import java.util.ArrayList;
import java.util.List;

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
 * Row kernels: an elementwise op over rows that reads a per-row statistic (softmax's max and sum of exponentials, a
 * norm's mean and deviations, a max) becomes one {@link Op.RowFused} node with it, when a row is short enough to stay
 * in cache between the two passes over it ({@link #MAX_ROW} terms) and the elementwise op covers exactly the rows.
 * The statistics never reach memory, and the input is read from memory once instead of twice.
 */
public record FuseRow() implements Rule {
    public static final FuseRow INSTANCE = new FuseRow();

    /**
     * Longest row fused: 8192 fp32 terms are 32 KB, so the rows of every block resident on an H100 (~1000 blocks)
     * fit its 50 MB L2 between the statistics pass and the elementwise pass.
     */
    public static final long MAX_ROW = 8192;

    @Override public String name() { return "fuse-row"; }

    @Override public Rewrite apply(RuleContext ctx, Node p) {
        if (!(p.op() instanceof Op.Generic pg) || pg.reduction() != Op.Reduction.NONE) return null;
        for (Value v : p.operands()) {
            Node c = ctx.definer(v);
            if (c == null || !(c.op() instanceof Op.Generic cg) || !fusable(ctx, c, cg, p)) continue;
            Node row = fuse(p, pg, c, cg);
            if (row != null) return new Rewrite.Replace(row);
        }
        return null;
    }

    private static boolean fusable(RuleContext ctx, Node c, Op.Generic cg, Node p) {
        Op.Reduction r = cg.reduction();
        // compound statistics and extremes: no double-word sums to keep on chip
        if (!(r.compound() || r == Op.Reduction.MAX || r == Op.Reduction.MIN) || !c.result().type().dtype().isFloat()) return false;
        long row = cg.reduceShape().numel(), rows = c.result().type().shape().numel() / r.components();
        if (row > MAX_ROW || row == 0 || rows == 0 || p.result().type().shape().numel() != rows * row) return false;
        return ctx.userCount(c.result()) == 1 && !ctx.isOutput(c.result()) && ctx.mayFuse(c, p);
    }

    /** The row kernel, or null when p does not read c at its row points. */
    private static Node fuse(Node p, Op.Generic pg, Node c, Op.Generic cg) {
        List<Value> operands = new ArrayList<>(c.operands());
        RuleSupport.Operands rest = new RuleSupport.Operands(), stats = new RuleSupport.Operands();
        int[] slot = new int[p.operands().size()];
        boolean[] isStat = new boolean[slot.length];
        for (int k = 0; k < slot.length; k++) {
            isStat[k] = p.operands().get(k).id() == c.result().id();
            slot[k] = isStat[k] ? stats.add(c.result(), pg.maps().get(k)) : rest.add(p.operands().get(k), pg.maps().get(k));
        }
        int first = rest.values.size();
        List<kc.ir.graph.IndexMap> maps = new ArrayList<>(rest.maps);
        maps.addAll(stats.maps);
        ScalarExpr body = RuleSupport.substitute(pg.body(), k -> ScalarExpr.read(isStat[k] ? first + slot[k] : slot[k]), d -> null, null);
        operands.addAll(rest.values);
        Op.RowFused op = new Op.RowFused(cg, c.result().type(), c.operands().size(), new Op.Generic(kc.ir.graph.Shape.SCALAR, maps, body, Op.Reduction.NONE));
        if (op.rowDims(operands.size()) == null) return null;
        List<Origin> absorbed = new ArrayList<>(p.absorbed());
        absorbed.add(c.origin());
        absorbed.addAll(c.absorbed());
        return new Node(p.result(), op, operands, p.origin(), absorbed);
    }
}
