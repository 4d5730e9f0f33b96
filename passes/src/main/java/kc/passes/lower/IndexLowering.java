package kc.passes.lower;

import java.util.List;

import kc.ir.graph.IndexBounds;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Shape;
import kc.ir.tile.TExpr;

/**
 * Translates an operand's {@link IndexMap} at a domain point into a flat element offset and, for padded maps, the
 * condition under which the read is in range. Floor division and modulo become C's truncating forms where interval
 * bounds prove the value non-negative, and sign-corrected forms otherwise.
 */
final class IndexLowering {
    private final KernelBuilder kb;
    private final TExpr[] coords;
    /** The domain box for interval bounds (extent-0 dims counted as 1: such domains never execute). */
    private final long[] box;

    IndexLowering(KernelBuilder kb, TExpr[] coords, long[] dims) {
        this.kb = kb;
        this.coords = coords;
        this.box = new long[dims.length];
        for (int d = 0; d < dims.length; d++) box[d] = Math.max(1, dims[d]);
    }

    /** The flat offset and in-range condition (null: always in range) of one read. */
    record Access(TExpr offset, TExpr valid) {}

    Access access(IndexMap map, Shape operand) {
        List<IndexExpr> exprs = map.exprs();
        long[] strides = operand.strides();
        TExpr offset = kb.c(0);
        TExpr valid = null;
        for (int i = 0; i < exprs.size(); i++) {
            IndexExpr e = exprs.get(i);
            TExpr[] exact = new TExpr[1];
            TExpr x = kb.let("ix", index(e, exact));
            if (map.pad() != null) {
                valid = KernelBuilder.and(valid, exact[0]);
                IndexBounds.Interval iv = IndexBounds.of(e, box);
                if (iv.lo() < 0) valid = KernelBuilder.and(valid, TExpr.binary(TExpr.BinOp.GE, x, kb.c(0)));
                if (iv.hi() >= operand.dim(i)) valid = KernelBuilder.and(valid, KernelBuilder.lt(x, kb.c(operand.dim(i))));
            }
            offset = KernelBuilder.add(offset, KernelBuilder.mul(x, strides[i]));
        }
        return new Access(offset, valid);
    }

    /** e in the kernel's index type; ExactDiv divisibility conditions are and-ed into exact[0]. */
    TExpr index(IndexExpr e, TExpr[] exact) {
        return switch (e) {
            case IndexExpr.Dim d -> coords[d.d()];
            case IndexExpr.Const c -> kb.c(c.value());
            case IndexExpr.Add a -> KernelBuilder.add(index(a.a(), exact), index(a.b(), exact));
            case IndexExpr.Mul m -> KernelBuilder.mul(index(m.a(), exact), m.factor());
            case IndexExpr.FloorDiv f -> floorDiv(f.a(), f.divisor(), exact);
            case IndexExpr.Mod m -> {
                TExpr a = index(m.a(), exact);
                if (nonNegative(m.a())) yield KernelBuilder.rem(a, m.divisor());
                TExpr r = kb.let("r", KernelBuilder.rem(a, m.divisor()));
                yield TExpr.select(KernelBuilder.lt(r, kb.c(0)), KernelBuilder.add(r, kb.c(m.divisor())), r);
            }
            case IndexExpr.ExactDiv q -> {
                if (!IndexBounds.isMultiple(q.a(), q.divisor(), box)) {
                    TExpr a = kb.let("num", index(q.a(), exact));
                    exact[0] = KernelBuilder.and(exact[0], TExpr.binary(TExpr.BinOp.EQ, KernelBuilder.rem(a, q.divisor()), kb.c(0)));
                }
                yield floorDiv(q.a(), q.divisor(), exact);
            }
        };
    }

    private TExpr floorDiv(IndexExpr num, long k, TExpr[] exact) {
        TExpr a = index(num, exact);
        if (nonNegative(num)) return KernelBuilder.div(a, k);
        TExpr av = kb.let("num", a);
        // C truncates toward zero; step down when the remainder is negative
        TExpr q = KernelBuilder.div(av, k);
        return TExpr.select(KernelBuilder.lt(KernelBuilder.rem(av, k), kb.c(0)), KernelBuilder.add(q, kb.c(-1)), q);
    }

    private boolean nonNegative(IndexExpr e) { return IndexBounds.of(e, box).lo() >= 0; }

    /** The largest magnitude any sub-expression of e takes over the box, to choose the index width. */
    static long magnitude(IndexExpr e, long[] dims) {
        long[] box = new long[dims.length];
        for (int d = 0; d < dims.length; d++) box[d] = Math.max(1, dims[d]);
        return magnitudeIn(e, box);
    }

    private static long magnitudeIn(IndexExpr e, long[] box) {
        IndexBounds.Interval iv = IndexBounds.of(e, box);
        long m = Math.max(Math.abs(iv.lo()), Math.abs(iv.hi()));
        return switch (e) {
            case IndexExpr.Add a -> Math.max(m, Math.max(magnitudeIn(a.a(), box), magnitudeIn(a.b(), box)));
            case IndexExpr.Mul x -> Math.max(m, magnitudeIn(x.a(), box));
            case IndexExpr.FloorDiv f -> Math.max(m, magnitudeIn(f.a(), box));
            case IndexExpr.Mod x -> Math.max(m, magnitudeIn(x.a(), box));
            case IndexExpr.ExactDiv q -> Math.max(m, magnitudeIn(q.a(), box));
            default -> m;
        };
    }
}
