package kc.ir.interp;

import kc.ir.graph.IndexExpr;

/**
 * An index expression compiled for evaluation at arbitrary domain points (the fallback for maps with
 * FloorDiv/Mod/ExactDiv; affine maps are run incrementally instead). {@link #INVALID} marks an ExactDiv that
 * does not divide, and propagates.
 */
@FunctionalInterface
interface IndexCode {
    long INVALID = Long.MIN_VALUE;

    long eval(long[] coord);

    static IndexCode compile(IndexExpr e) {
        return switch (e) {
            case IndexExpr.Dim d -> { int i = d.d(); yield c -> c[i]; }
            case IndexExpr.Const k -> { long v = k.value(); yield c -> v; }
            case IndexExpr.Add a -> {
                IndexCode x = compile(a.a()), y = compile(a.b());
                yield c -> {
                    long u = x.eval(c), v = y.eval(c);
                    return u == INVALID || v == INVALID ? INVALID : u + v;
                };
            }
            case IndexExpr.Mul m -> {
                IndexCode x = compile(m.a());
                long f = m.factor();
                yield c -> { long u = x.eval(c); return u == INVALID ? INVALID : u * f; };
            }
            case IndexExpr.FloorDiv q -> {
                IndexCode x = compile(q.a());
                long k = q.divisor();
                yield c -> { long u = x.eval(c); return u == INVALID ? INVALID : Math.floorDiv(u, k); };
            }
            case IndexExpr.Mod m -> {
                IndexCode x = compile(m.a());
                long k = m.divisor();
                yield c -> { long u = x.eval(c); return u == INVALID ? INVALID : Math.floorMod(u, k); };
            }
            case IndexExpr.ExactDiv q -> {
                IndexCode x = compile(q.a());
                long k = q.divisor();
                yield c -> {
                    long u = x.eval(c);
                    return u == INVALID || Math.floorMod(u, k) != 0 ? INVALID : Math.floorDiv(u, k);
                };
            }
        };
    }

    /**
     * The affine form of e as {constant, coefficient of d0, d1, ...}, or null when e uses FloorDiv, Mod or
     * ExactDiv. Throws when e names a coordinate outside the domain.
     */
    static long[] affine(IndexExpr e, int domainRank) {
        return switch (e) {
            case IndexExpr.Dim d -> {
                if (d.d() < 0 || d.d() >= domainRank) throw new IllegalStateException("index d" + d.d() + " outside a rank-" + domainRank + " domain");
                long[] r = new long[domainRank + 1];
                r[d.d() + 1] = 1;
                yield r;
            }
            case IndexExpr.Const k -> { long[] r = new long[domainRank + 1]; r[0] = k.value(); yield r; }
            case IndexExpr.Add a -> {
                long[] x = affine(a.a(), domainRank), y = affine(a.b(), domainRank);
                if (x == null || y == null) yield null;
                for (int i = 0; i < x.length; i++) x[i] += y[i];
                yield x;
            }
            case IndexExpr.Mul m -> {
                long[] x = affine(m.a(), domainRank);
                if (x == null) yield null;
                for (int i = 0; i < x.length; i++) x[i] *= m.factor();
                yield x;
            }
            case IndexExpr.FloorDiv q -> null;
            case IndexExpr.Mod m -> null;
            case IndexExpr.ExactDiv q -> null;
        };
    }
}
