package kc.passes.lower;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Op;
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/**
 * The running state of a reduction in one thread, and how partial states combine: a block's threads (shuffles and
 * shared memory) and a GRID's blocks (partial states in scratch buffers, see {@link #parts()} and {@link #merge}).
 * Value reductions keep one register in the result's compute type (bool as i32); arg-reductions keep the best value
 * (in the body's compute type) and its flat index (i64, -1 while empty).
 *
 * <p>Float sums are double-word: the plain sum and, beside it, every rounding error it made (exact, by TwoSum; a
 * product x * y enters as its rounded value and its exact error, split by an fma), carried through the block's
 * combine too. Kahan's sum, which this replaces, still rounded each product (~sqrt(n) eps |x y|) and each level of a
 * block's tree: over 2^20 normal(0, 2) products that is ~1e-3, past the 1e-4 absolute tolerance of an output near
 * zero; and it turned inf + finite into NaN, since its correction feeds back into the sum. Keeping the error
 * apart leaves the sum itself plain, so infinities and NaN come out as PyTorch's do.
 *
 * <p>Compound reductions keep several registers ({@link #parts()}) updated together, one pass over the terms:
 * MAX_SUMEXP the running max m and the sum s of exp(v - m), rescaled when m grows (one exp per term: the smaller of
 * m and v relative to the larger); MEAN_M2 Welford's count, mean and sum of squared deviations, merged by Chan's
 * formula. Both are stable in plain fp32 (no double-word), and both treat a max of -inf as an empty state.
 */
final class Accumulator {
    private final Op.Reduction reduction;
    private final TType accType;
    private final boolean doubleWord;
    private Var acc, error, best, bestAt;
    /** A compound reduction's registers, in {@link #parts()} order. */
    private final List<Var> stats = new ArrayList<>();
    private TExpr plain;

    /**
     * @param resultType the Generic's result dtype
     * @param bodyType   the dtype its body computes (the compared values of an arg-reduction)
     * @param doubleWordSums float sums carry their rounding error (the schedule's {@code accumulate double})
     */
    Accumulator(Op.Reduction reduction, DType resultType, DType bodyType, boolean doubleWordSums) {
        this.reduction = reduction;
        this.accType = Types.warp(Types.compute(isArg(reduction) ? bodyType : resultType));
        this.doubleWord = doubleWordSums && Combine.compensated(reduction, accType);
    }

    private boolean compound() { return reduction.compound(); }

    /** Whether combine wants the body unbound, so that a product's factors are in sight (see combine). */
    boolean splitsProducts() { return doubleWord; }

    private static boolean isArg(Op.Reduction r) { return r == Op.Reduction.ARGMAX || r == Op.Reduction.ARGMIN; }

    boolean isArg() { return isArg(reduction); }

    void declare(KernelBuilder kb) {
        if (reduction == Op.Reduction.NONE) return;
        if (compound()) {
            for (Part p : parts()) stats.add(kb.declare(p.name(), new TExpr.Const(p.identity(), p.type())));
        } else if (isArg()) {
            best = kb.declare("best", new TExpr.Const(0, accType));
            bestAt = kb.declare("best_at", new TExpr.Const(-1, TType.I64));
        } else {
            acc = kb.declare("acc", new TExpr.Const(Combine.identity(reduction, accType), accType));
            if (doubleWord) error = kb.declare("err", new TExpr.Const(0.0, accType));
        }
    }

    /** Folds body value v (at flat reduction index at, for arg-reductions) into the state. */
    void combine(KernelBuilder kb, TExpr v, TExpr at) {
        if (reduction == Op.Reduction.NONE) { plain = v; return; }
        if (doubleWord && v instanceof TExpr.Binary m && m.op() == BinOp.MUL && m.type().equals(accType)) {
            // x * y = p + e exactly: both parts go into the sum
            TExpr a = kb.let("fa", m.a()), b = kb.let("fb", m.b());
            TExpr p = kb.let("p", TExpr.binary(BinOp.MUL, a, b));
            TExpr e = kb.let("pe", TExpr.fma(a, b, TExpr.unary(TExpr.UnOp.NEG, p)));
            Combine.twoSum(kb, acc, error, p, TExpr.binary(BinOp.ADD, TExpr.ref(error), e));
            return;
        }
        TExpr x = kb.let("x", BodyLowering.convert(v, accType));
        if (compound()) {
            fold(kb, x);
            return;
        }
        if (doubleWord) {
            Combine.twoSum(kb, acc, error, x, TExpr.ref(error));
            return;
        }
        if (isArg()) {
            TExpr take = kb.let("take", Combine.better(reduction, x, at, TExpr.ref(best), TExpr.ref(bestAt)));
            kb.assign(best, TExpr.select(take, x, TExpr.ref(best)));
            kb.assign(bestAt, TExpr.select(take, at, TExpr.ref(bestAt)));
        } else {
            kb.assign(acc, Combine.value(reduction, TExpr.ref(acc), x));
        }
    }

    /** One term into a compound state. */
    private void fold(KernelBuilder kb, TExpr x) {
        if (reduction == Op.Reduction.MAX_SUMEXP) {
            Var m = stats.get(0), s = stats.get(1);
            TExpr big = kb.let("big", TExpr.binary(BinOp.MAX, TExpr.ref(m), x));
            TExpr small = TExpr.binary(BinOp.MIN, TExpr.ref(m), x);
            TExpr t = kb.let("t", TExpr.select(isMinusInf(big), zero(), TExpr.unary(TExpr.UnOp.EXP, TExpr.binary(BinOp.SUB, small, big))));
            TExpr grew = TExpr.binary(BinOp.GT, x, TExpr.ref(m));
            kb.assign(s, TExpr.select(grew, TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, TExpr.ref(s), t), one()),
                    TExpr.binary(BinOp.ADD, TExpr.ref(s), t)));
            kb.assign(m, big);
        } else {
            Var n = stats.get(0), mean = stats.get(1), m2 = stats.get(2);
            TExpr n1 = kb.let("n1", TExpr.binary(BinOp.ADD, TExpr.ref(n), one()));
            TExpr d = kb.let("d", TExpr.binary(BinOp.SUB, x, TExpr.ref(mean)));
            TExpr mean1 = kb.let("mean1", TExpr.binary(BinOp.ADD, TExpr.ref(mean), TExpr.binary(BinOp.DIV, d, n1)));
            kb.assign(m2, TExpr.binary(BinOp.ADD, TExpr.ref(m2), TExpr.binary(BinOp.MUL, d, TExpr.binary(BinOp.SUB, x, mean1))));
            kb.assign(mean, mean1);
            kb.assign(n, n1);
        }
    }

    /** Another compound state into this one (see the class comment). */
    private void mergeCompound(KernelBuilder kb, List<TExpr> other) {
        if (reduction == Op.Reduction.MAX_SUMEXP) {
            Var m = stats.get(0), s = stats.get(1);
            TExpr m2 = other.get(0), s2 = other.get(1);
            TExpr big = kb.let("big", TExpr.binary(BinOp.MAX, TExpr.ref(m), m2));
            TExpr mine = TExpr.select(isMinusInf(TExpr.ref(m)), zero(),
                    TExpr.binary(BinOp.MUL, TExpr.ref(s), TExpr.unary(TExpr.UnOp.EXP, TExpr.binary(BinOp.SUB, TExpr.ref(m), big))));
            TExpr theirs = TExpr.select(isMinusInf(m2), zero(),
                    TExpr.binary(BinOp.MUL, s2, TExpr.unary(TExpr.UnOp.EXP, TExpr.binary(BinOp.SUB, m2, big))));
            kb.assign(s, TExpr.binary(BinOp.ADD, kb.let("sa", mine), kb.let("sb", theirs)));
            kb.assign(m, big);
        } else {
            Var n = stats.get(0), mean = stats.get(1), m2 = stats.get(2);
            TExpr nb = other.get(0), meanB = other.get(1), m2b = other.get(2);
            TExpr nn = kb.let("nn", TExpr.binary(BinOp.ADD, TExpr.ref(n), nb));
            TExpr w = kb.let("w", TExpr.select(TExpr.binary(BinOp.EQ, nn, zero()), zero(), TExpr.binary(BinOp.DIV, nb, nn)));
            TExpr d = kb.let("d", TExpr.binary(BinOp.SUB, meanB, TExpr.ref(mean)));
            TExpr cross = TExpr.binary(BinOp.MUL, TExpr.binary(BinOp.MUL, TExpr.binary(BinOp.MUL, d, d), TExpr.ref(n)), w);
            kb.assign(m2, TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.ADD, TExpr.ref(m2), m2b), cross));
            kb.assign(mean, TExpr.binary(BinOp.ADD, TExpr.ref(mean), TExpr.binary(BinOp.MUL, d, w)));
            kb.assign(n, nn);
        }
    }

    private TExpr zero() { return new TExpr.Const(0.0, accType); }
    private TExpr one() { return new TExpr.Const(1.0, accType); }
    private TExpr isMinusInf(TExpr x) { return TExpr.binary(BinOp.EQ, x, new TExpr.Const(Double.NEGATIVE_INFINITY, accType)); }

    /** The reduced values, one per component of the reduction (after combining); the caller converts them. */
    List<TExpr> results(KernelBuilder kb) {
        if (!compound()) return List.of(result(kb));
        // MAX_SUMEXP: [m, s]; MEAN_M2: [mean, m2] (the count is the reduction length)
        return reduction == Op.Reduction.MAX_SUMEXP ? List.of(TExpr.ref(stats.get(0)), TExpr.ref(stats.get(1)))
                : List.of(TExpr.ref(stats.get(1)), TExpr.ref(stats.get(2)));
    }

    /** The reduced value (after combining); the caller converts it to the result's storage type. */
    TExpr result(KernelBuilder kb) {
        if (reduction == Op.Reduction.NONE) return plain;
        if (doubleWord) return Combine.doubleWordValue(kb, acc, error);
        return isArg() ? TExpr.ref(bestAt) : TExpr.ref(acc);
    }

    /**
     * The state a partial reduction hands on (a GRID's partials): the value; the sum and its error; or the best
     * value and its index. Each entry names its register and its type.
     */
    record Part(String name, TType type, double identity) {}

    List<Part> parts() {
        if (reduction == Op.Reduction.MAX_SUMEXP) return List.of(new Part("m", accType, Double.NEGATIVE_INFINITY), new Part("s", accType, 0));
        if (reduction == Op.Reduction.MEAN_M2) return List.of(new Part("n", accType, 0), new Part("mean", accType, 0), new Part("m2", accType, 0));
        if (isArg()) return List.of(new Part("best", accType, 0), new Part("best_at", TType.I64, -1));
        if (doubleWord) return List.of(new Part("acc", accType, 0), new Part("err", accType, 0));
        return List.of(new Part("acc", accType, Combine.identity(reduction, accType)));
    }

    /** The current state, in {@link #parts()} order. */
    List<TExpr> state() {
        if (compound()) return stats.stream().map(v -> (TExpr) TExpr.ref(v)).toList();
        if (isArg()) return List.of(TExpr.ref(best), TExpr.ref(bestAt));
        if (doubleWord) return List.of(TExpr.ref(acc), TExpr.ref(error));
        return List.of(TExpr.ref(acc));
    }

    /**
     * Folds another partial state (in {@link #parts()} order) into this one: the arg-reductions' order (value, then
     * the smaller index) does not depend on which state comes first; a double-word sum adds the other's sum exactly
     * and keeps both errors.
     */
    void merge(KernelBuilder kb, List<TExpr> other) {
        if (compound()) {
            mergeCompound(kb, other);
        } else if (isArg()) {
            TExpr take = kb.let("take", Combine.better(reduction, other.get(0), other.get(1), TExpr.ref(best), TExpr.ref(bestAt)));
            kb.assign(best, TExpr.select(take, other.get(0), TExpr.ref(best)));
            kb.assign(bestAt, TExpr.select(take, other.get(1), TExpr.ref(bestAt)));
        } else if (doubleWord) {
            Combine.twoSum(kb, acc, error, other.get(0), TExpr.binary(BinOp.ADD, TExpr.ref(error), other.get(1)));
        } else {
            kb.assign(acc, Combine.value(reduction, TExpr.ref(acc), other.get(0)));
        }
    }

    private void assignState(KernelBuilder kb, List<TExpr> values) {
        List<Var> vars = compound() ? stats : isArg() ? List.of(best, bestAt) : doubleWord ? List.of(acc, error) : List.of(acc);
        for (int i = 0; i < vars.size(); i++) kb.assign(vars.get(i), values.get(i));
    }

    /**
     * Combines the partial states of all threads of the block so that every thread holds the block's result:
     * within each warp, then the warps' results through shared memory. Every thread of the block must execute it.
     */
    void blockCombine(KernelBuilder kb, int threads) {
        int warps = threads / 32;
        TExpr lane = new TExpr.Special(TExpr.Reg.LANE);
        TExpr tid = new TExpr.Special(TExpr.Reg.THREAD_X);
        if (!isArg() && !doubleWord && !compound()) {
            // a plain value reduction: the warp reduction primitive, twice
            TExpr.ReduceOp wop = Combine.warpOp(reduction);
            kb.assign(acc, new TExpr.WarpReduce(wop, TExpr.ref(acc), accType));
            if (warps == 1) return;
            SharedArray s = new SharedArray("s_acc", accType.elem(), warps);
            kb.shared(s);
            stageAcrossWarps(kb, tid, lane, List.of(s), List.of(TExpr.ref(acc)));
            TExpr inRange = KernelBuilder.lt(lane, TExpr.i32(warps));
            TExpr partial = kb.let("partial", new TExpr.Load(s.name(), Space.SHARED, lane, inRange, Combine.identity(reduction, accType), accType));
            kb.assign(acc, new TExpr.WarpReduce(wop, partial, accType));
            return;
        }
        butterfly(kb);
        if (warps == 1) return;
        List<SharedArray> arrays = new ArrayList<>();
        for (Part p : parts()) {
            SharedArray a = new SharedArray("s_" + p.name(), p.type().elem(), warps);
            kb.shared(a);
            arrays.add(a);
        }
        stageAcrossWarps(kb, tid, lane, arrays, state());
        TExpr inRange = kb.let("has_warp", KernelBuilder.lt(lane, TExpr.i32(warps)));
        List<TExpr> staged = new ArrayList<>();
        for (int i = 0; i < arrays.size(); i++)
            staged.add(new TExpr.Load(arrays.get(i).name(), Space.SHARED, lane, inRange, parts().get(i).identity(), parts().get(i).type()));
        assignState(kb, staged);
        butterfly(kb);
    }

    /** Lane 0 of each warp writes its warp's state to slot warp; then a barrier. */
    private static void stageAcrossWarps(KernelBuilder kb, TExpr tid, TExpr lane, List<SharedArray> arrays, List<TExpr> values) {
        TExpr warp = kb.let("warp", TExpr.binary(BinOp.DIV, tid, TExpr.i32(32)));
        TExpr leader = kb.let("leader", TExpr.binary(BinOp.EQ, lane, TExpr.i32(0)));
        for (int i = 0; i < arrays.size(); i++) kb.add(new TStmt.Store(arrays.get(i).name(), Space.SHARED, warp, values.get(i), leader));
        kb.add(new TStmt.Barrier());
    }

    /**
     * Xor-butterfly over the 32 lanes: afterwards every lane holds the warp's state. For a double-word sum both
     * lanes of a pair end with the same sum and error (TwoSum's error is exact, so it does not depend on the order);
     * for an arg-reduction the best is a total order's maximum.
     */
    private void butterfly(KernelBuilder kb) {
        for (int off = 16; off >= 1; off /= 2) {
            List<TExpr> other = new ArrayList<>();
            for (Part p : parts())
                other.add(kb.let("o_" + p.name(), new TExpr.Shuffle(TExpr.ShuffleKind.XOR, state().get(other.size()), TExpr.i32(off), p.type())));
            merge(kb, other);
        }
    }
}
