package kc.passes.lower;

import kc.ir.graph.Op;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TType;

/**
 * The reduction combiners with PyTorch's semantics: MAX/MIN propagate NaN (Tile IR's MAX/MIN do), ARGMAX/ARGMIN keep
 * the first index of the extreme and treat NaN as the extreme.
 */
final class Combine {
    private Combine() {}

    /** The identity of a value reduction in type t. */
    static double identity(Op.Reduction r, TType t) {
        return switch (r) {
            case SUM, NONE, ARGMAX, ARGMIN, MAX_SUMEXP, MEAN_M2 -> 0; // compound: see Accumulator.parts()
            case PROD -> 1;
            case MAX -> t.elem().isFloat() ? Double.NEGATIVE_INFINITY : t.elem() == kc.ir.tile.ScalarType.I32 ? Integer.MIN_VALUE : t.elem() == kc.ir.tile.ScalarType.I64 ? (double) Long.MIN_VALUE : 0;
            case MIN -> t.elem().isFloat() ? Double.POSITIVE_INFINITY : t.elem() == kc.ir.tile.ScalarType.I32 ? Integer.MAX_VALUE : t.elem() == kc.ir.tile.ScalarType.I64 ? (double) Long.MAX_VALUE : 1;
        };
    }

    static TExpr value(Op.Reduction r, TExpr acc, TExpr v) {
        BinOp op = switch (r) {
            case SUM -> BinOp.ADD;
            case PROD -> BinOp.MUL;
            case MAX -> BinOp.MAX;
            case MIN -> BinOp.MIN;
            default -> throw new IllegalArgumentException(r + " is not a value reduction");
        };
        return TExpr.binary(op, acc, v);
    }

    /**
     * Whether a running reduction in type t is a double-word sum (see {@link Accumulator}): a float sum over
     * thousands of terms (a matmul's K, a cumsum's row) drifts by ~sqrt(n) eps of its partial sums in plain order,
     * past fp32's 1e-4 tolerance; carrying the rounding errors leaves only the final rounding, whatever the order.
     */
    static boolean compensated(Op.Reduction r, TType t) { return r == Op.Reduction.SUM && t.elem().isFloat(); }

    /**
     * acc += x, and error = errorSoFar + the addition's rounding error (exact, by Knuth's TwoSum, whatever the
     * magnitudes; it needs each operation rounded on its own, which is why kc's CUDA C writes them __fadd_rn and kin).
     */
    static void twoSum(KernelBuilder kb, kc.ir.tile.Var acc, kc.ir.tile.Var error, TExpr x, TExpr errorSoFar) {
        TExpr[] se = twoSum(kb, TExpr.ref(acc), x);
        kb.assign(error, TExpr.binary(BinOp.ADD, errorSoFar, se[1]));
        kb.assign(acc, se[0]);
    }

    /**
     * acc += x, and error += the addition's rounding error, by Dekker's Fast2Sum: four operations where TwoSum
     * takes seven, for a run's sum joining a running total. The error is exact where |acc| >= |x| (and where acc is
     * 0), which holds once the total has grown past a run's size; where it does not (the first runs, a total
     * crossing 0) the addition keeps at most about one rounding of x, a plain add's worth now and then, against the
     * hundreds of terms' worth legality's budget allows.
     */
    static void fastTwoSum(KernelBuilder kb, kc.ir.tile.Var acc, kc.ir.tile.Var error, TExpr x) {
        TExpr s = kb.let("s", TExpr.binary(BinOp.ADD, TExpr.ref(acc), x));
        TExpr z = kb.let("z", TExpr.binary(BinOp.SUB, s, TExpr.ref(acc)));
        kb.assign(error, TExpr.binary(BinOp.ADD, TExpr.ref(error), TExpr.binary(BinOp.SUB, x, z)));
        kb.assign(acc, s);
    }

    /** a + b and that addition's exact rounding error, {s, e} (Knuth's TwoSum, as above). */
    static TExpr[] twoSum(KernelBuilder kb, TExpr a, TExpr b) {
        TExpr s = kb.let("s", TExpr.binary(BinOp.ADD, a, b));
        TExpr z = kb.let("z", TExpr.binary(BinOp.SUB, s, a));
        TExpr e = kb.let("e", TExpr.binary(BinOp.ADD,
                TExpr.binary(BinOp.SUB, a, TExpr.binary(BinOp.SUB, s, z)), TExpr.binary(BinOp.SUB, b, z)));
        return new TExpr[] {s, e};
    }

    /**
     * A double-word sum's value, acc + error. acc is the plain sum: an infinite term (or an overflow) leaves the
     * error NaN while acc is already PyTorch's answer (inf, or NaN where it should be).
     */
    static TExpr doubleWordValue(KernelBuilder kb, kc.ir.tile.Var acc, kc.ir.tile.Var error) {
        return doubleWordValue(kb, TExpr.ref(acc), TExpr.ref(error));
    }

    static TExpr doubleWordValue(KernelBuilder kb, TExpr acc, TExpr error) {
        return kb.let("total", TExpr.select(TExpr.unary(UnOp.IS_NAN, error), acc, TExpr.binary(BinOp.ADD, acc, error)));
    }

    static TExpr.ReduceOp warpOp(Op.Reduction r) {
        return switch (r) {
            case SUM -> TExpr.ReduceOp.SUM;
            case PROD -> TExpr.ReduceOp.PROD;
            case MAX -> TExpr.ReduceOp.MAX;
            case MIN -> TExpr.ReduceOp.MIN;
            default -> throw new IllegalArgumentException(r + " has no warp reduction");
        };
    }

    /**
     * True when candidate (v, at) should replace the current best (best, bestAt) for ARGMAX/ARGMIN: the current one
     * is empty (bestAt &lt; 0), or v is strictly more extreme (NaN beats every number), or equally extreme with a
     * smaller index. An empty candidate (at &lt; 0) never wins.
     */
    static TExpr better(Op.Reduction r, TExpr v, TExpr at, TExpr best, TExpr bestAt) {
        BinOp beats = r == Op.Reduction.ARGMAX ? BinOp.GT : BinOp.LT;
        TExpr zero = new TExpr.Const(0, at.type());
        TExpr more = TExpr.binary(beats, v, best);
        TExpr same = TExpr.binary(BinOp.EQ, v, best);
        if (v.type().elem().isFloat()) {
            TExpr vNan = TExpr.unary(UnOp.IS_NAN, v), bNan = TExpr.unary(UnOp.IS_NAN, best);
            more = TExpr.binary(BinOp.OR, TExpr.binary(BinOp.AND, vNan, TExpr.unary(UnOp.NOT, bNan)), more);
            same = TExpr.binary(BinOp.OR, TExpr.binary(BinOp.AND, vNan, bNan), same);
        }
        TExpr wins = TExpr.binary(BinOp.OR, more, TExpr.binary(BinOp.AND, same, TExpr.binary(BinOp.LT, at, bestAt)));
        return TExpr.binary(BinOp.AND, TExpr.binary(BinOp.GE, at, zero),
                TExpr.binary(BinOp.OR, TExpr.binary(BinOp.LT, bestAt, zero), wins));
    }
}
