package kc.ir.testing;

import static kc.ir.testing.G.*;

import java.util.Random;

import kc.ir.graph.IndexExpr;

/** Random index expressions and a direct evaluator for them, for property tests of bounds and of the interpreter. */
public final class RandomIndex {
    private RandomIndex() {}

    /** Direct evaluation at coordinates c; null for an inexact division. */
    public static Long eval(IndexExpr e, long[] c) {
        return switch (e) {
            case IndexExpr.Dim d -> c[d.d()];
            case IndexExpr.Const k -> k.value();
            case IndexExpr.Add a -> { Long x = eval(a.a(), c), y = eval(a.b(), c); yield x == null || y == null ? null : x + y; }
            case IndexExpr.Mul m -> { Long x = eval(m.a(), c); yield x == null ? null : x * m.factor(); }
            case IndexExpr.FloorDiv q -> { Long x = eval(q.a(), c); yield x == null ? null : Math.floorDiv(x, q.divisor()); }
            case IndexExpr.Mod m -> { Long x = eval(m.a(), c); yield x == null ? null : Math.floorMod(x, m.divisor()); }
            case IndexExpr.ExactDiv q -> {
                Long x = eval(q.a(), c);
                yield x == null || Math.floorMod(x, q.divisor()) != 0 ? null : Math.floorDiv(x, q.divisor());
            }
        };
    }

    /** A random expression over coordinates d0..d(domainRank-1), nested up to depth. */
    public static IndexExpr expr(Random rng, int domainRank, int depth) {
        int pick = depth == 0 ? rng.nextInt(2) : rng.nextInt(7);
        return switch (pick) {
            case 0 -> d(rng.nextInt(domainRank));
            case 1 -> c(rng.nextInt(7) - 2);
            case 2 -> IndexExpr.add(expr(rng, domainRank, depth - 1), expr(rng, domainRank, depth - 1));
            case 3 -> IndexExpr.mul(expr(rng, domainRank, depth - 1), rng.nextInt(5) - 2);
            case 4 -> floordiv(expr(rng, domainRank, depth - 1), 1 + rng.nextInt(3));
            case 5 -> mod(expr(rng, domainRank, depth - 1), 1 + rng.nextInt(4));
            default -> exactdiv(expr(rng, domainRank, depth - 1), 1 + rng.nextInt(3));
        };
    }
}
