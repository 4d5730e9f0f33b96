package kc.ir.graph;

import java.util.List;

/**
 * Interval bounds of {@link IndexExpr}s over a domain box (coordinate d ranges over [0, dims[d]-1]). Used to
 * prove that maps without padding read in range, by the verifier and by the interpreter (which then skips
 * per-read checks). The bounds are sound: every value the expression can take lies inside them.
 */
public final class IndexBounds {
    private IndexBounds() {}

    /** An inclusive integer interval. {@code exact} is false when an ExactDiv inside might not divide. */
    public record Interval(long lo, long hi, boolean exact) {
        @Override public String toString() { return "[" + lo + ", " + hi + "]"; }
    }

    /** Bounds of e over the box; the box must be non-empty (every dim at least 1). */
    public static Interval of(IndexExpr e, long[] dims) {
        return switch (e) {
            case IndexExpr.Dim d -> new Interval(0, dims[d.d()] - 1, true);
            case IndexExpr.Const c -> new Interval(c.value(), c.value(), true);
            case IndexExpr.Add a -> {
                // (e // k) * k + e % k is e itself; bounding the parts separately would lose that
                IndexExpr whole = recombined(a);
                if (whole != null) yield of(whole, dims);
                Interval x = of(a.a(), dims), y = of(a.b(), dims);
                yield new Interval(x.lo + y.lo, x.hi + y.hi, x.exact && y.exact);
            }
            case IndexExpr.Mul m -> {
                Interval x = of(m.a(), dims);
                long f = m.factor();
                yield f >= 0 ? new Interval(x.lo * f, x.hi * f, x.exact) : new Interval(x.hi * f, x.lo * f, x.exact);
            }
            case IndexExpr.FloorDiv f -> {
                Interval x = of(f.a(), dims);
                yield new Interval(Math.floorDiv(x.lo, f.divisor()), Math.floorDiv(x.hi, f.divisor()), x.exact);
            }
            case IndexExpr.Mod m -> {
                Interval x = of(m.a(), dims);
                long k = m.divisor();
                // Within one period block the remainder is monotone; otherwise it can take any value in [0, k).
                if (Math.floorDiv(x.lo, k) == Math.floorDiv(x.hi, k))
                    yield new Interval(Math.floorMod(x.lo, k), Math.floorMod(x.hi, k), x.exact);
                // a non-negative e has e % k <= e
                yield new Interval(0, x.lo >= 0 ? Math.min(k - 1, x.hi) : k - 1, x.exact);
            }
            case IndexExpr.ExactDiv q -> {
                Interval x = of(q.a(), dims);
                long k = q.divisor();
                boolean divides = x.exact && isMultiple(q.a(), k, dims);
                // Only exact quotients are read, so the bounds are those of the multiples of k inside x.
                yield new Interval(-Math.floorDiv(-x.lo, k), Math.floorDiv(x.hi, k), divides);
            }
        };
    }

    /** e when a is (e // k) * k + e % k in either order, else null. */
    private static IndexExpr recombined(IndexExpr.Add a) {
        IndexExpr r = recombined(a.a(), a.b());
        return r != null ? r : recombined(a.b(), a.a());
    }

    private static IndexExpr recombined(IndexExpr high, IndexExpr low) {
        if (high instanceof IndexExpr.Mul m && m.a() instanceof IndexExpr.FloorDiv q && q.divisor() == m.factor()
                && low instanceof IndexExpr.Mod r && r.divisor() == q.divisor() && r.a().equals(q.a())) return q.a();
        return null;
    }

    /** True when e is provably a multiple of k at every point of the box. */
    public static boolean isMultiple(IndexExpr e, long k, long[] dims) {
        long g = multipleOf(e, dims);
        return g == 0 || g % k == 0;
    }

    /** A number that always divides e (0: e is always 0). */
    private static long multipleOf(IndexExpr e, long[] dims) {
        return switch (e) {
            case IndexExpr.Dim d -> dims[d.d()] == 1 ? 0 : 1;
            case IndexExpr.Const c -> Math.abs(c.value());
            case IndexExpr.Add a -> gcd(multipleOf(a.a(), dims), multipleOf(a.b(), dims));
            case IndexExpr.Mul m -> multipleOf(m.a(), dims) * Math.abs(m.factor());
            case IndexExpr.FloorDiv f -> 1;
            case IndexExpr.Mod m -> 1;
            case IndexExpr.ExactDiv q -> {
                long g = multipleOf(q.a(), dims);
                yield g != 0 && g % q.divisor() == 0 ? g / q.divisor() : (g == 0 ? 0 : 1);
            }
        };
    }

    private static long gcd(long a, long b) {
        while (b != 0) { long t = a % b; a = b; b = t; }
        return Math.abs(a);
    }

    /**
     * Why a map without padding may read out of range for an operand of the given shape over the domain box,
     * or null when every read is provably in range. The box must be non-empty.
     */
    public static String outOfRangeReason(IndexMap map, Shape operand, long[] dims) {
        List<IndexExpr> exprs = map.exprs();
        for (int i = 0; i < exprs.size(); i++) {
            Interval iv = of(exprs.get(i), dims);
            if (!iv.exact()) return "dim " + i + " index " + ExprText.index(exprs.get(i)) + " may not divide exactly";
            if (iv.lo() < 0 || iv.hi() >= operand.dim(i))
                return "dim " + i + " index " + ExprText.index(exprs.get(i)) + " ranges over " + iv + ", outside [0, " + operand.dim(i) + ")";
        }
        return null;
    }

    /** True when the box has no points (some dim is 0). */
    public static boolean isEmpty(long[] dims) {
        for (long d : dims) if (d == 0) return true;
        return false;
    }
}
