package kc.passes.lower;

import kc.ir.graph.DType;
import kc.ir.graph.Op;
import kc.ir.tile.ScalarType;
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/**
 * The running state of a reduction in one thread, and how partial states of a block's threads combine. Value
 * reductions keep one register in the result's compute type (bool as i32); arg-reductions keep the best value (in
 * the body's compute type) and its flat index (i64, -1 while empty).
 *
 * <p>Float sums are double-word: the plain sum and, beside it, every rounding error it made (exact, by TwoSum; a
 * product x * y enters as its rounded value and its exact error, split by an fma), carried through the block's
 * combine too. Kahan's sum, which this replaces, still rounded each product (~sqrt(n) eps |x y|) and each level of a
 * block's tree: over 2^20 normal(0, 2) products that is ~1e-3, past the 1e-4 absolute tolerance of an output near
 * zero; and it turned inf + finite into NaN, since its correction feeds back into the sum. Keeping the error
 * apart leaves the sum itself plain, so infinities and NaN come out as PyTorch's do.
 */
final class Accumulator {
    private final Op.Reduction reduction;
    private final TType accType;
    private final boolean doubleWord;
    private Var acc, error, best, bestAt;
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

    /** Whether combine wants the body unbound, so that a product's factors are in sight (see combine). */
    boolean splitsProducts() { return doubleWord; }

    private static boolean isArg(Op.Reduction r) { return r == Op.Reduction.ARGMAX || r == Op.Reduction.ARGMIN; }

    boolean isArg() { return isArg(reduction); }

    void declare(KernelBuilder kb) {
        if (reduction == Op.Reduction.NONE) return;
        if (isArg()) {
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

    /** The reduced value (after combining); the caller converts it to the result's storage type. */
    TExpr result(KernelBuilder kb) {
        if (reduction == Op.Reduction.NONE) return plain;
        if (doubleWord) return Combine.doubleWordValue(kb, acc, error);
        return isArg() ? TExpr.ref(bestAt) : TExpr.ref(acc);
    }

    /**
     * Combines the partial states of all threads of the block so that every thread holds the block's result:
     * within each warp, then the warps' results through shared memory. Every thread of the block must execute it.
     */
    void blockCombine(KernelBuilder kb, int threads) {
        int warps = threads / 32;
        TExpr lane = new TExpr.Special(TExpr.Reg.LANE);
        TExpr tid = new TExpr.Special(TExpr.Reg.THREAD_X);
        if (isArg()) {
            butterfly(kb);
            if (warps == 1) return;
            SharedArray sv = new SharedArray("s_best", accType.elem(), warps), si = new SharedArray("s_best_at", ScalarType.I64, warps);
            kb.shared(sv);
            kb.shared(si);
            stageAcrossWarps(kb, tid, lane, sv, TExpr.ref(best), si, TExpr.ref(bestAt));
            TExpr inRange = kb.let("has_warp", KernelBuilder.lt(lane, TExpr.i32(warps)));
            kb.assign(best, new TExpr.Load(sv.name(), Space.SHARED, lane, inRange, 0, accType));
            kb.assign(bestAt, new TExpr.Load(si.name(), Space.SHARED, lane, inRange, -1, TType.I64));
            butterfly(kb);
        } else if (doubleWord) {
            pairButterfly(kb);
            if (warps == 1) return;
            SharedArray sa = new SharedArray("s_acc", accType.elem(), warps), se = new SharedArray("s_err", accType.elem(), warps);
            kb.shared(sa);
            kb.shared(se);
            stageAcrossWarps(kb, tid, lane, sa, TExpr.ref(acc), se, TExpr.ref(error));
            TExpr inRange = kb.let("has_warp", KernelBuilder.lt(lane, TExpr.i32(warps)));
            kb.assign(acc, new TExpr.Load(sa.name(), Space.SHARED, lane, inRange, 0, accType));
            kb.assign(error, new TExpr.Load(se.name(), Space.SHARED, lane, inRange, 0, accType));
            pairButterfly(kb);
        } else {
            TExpr.ReduceOp wop = Combine.warpOp(reduction);
            kb.assign(acc, new TExpr.WarpReduce(wop, TExpr.ref(acc), accType));
            if (warps == 1) return;
            SharedArray s = new SharedArray("s_acc", accType.elem(), warps);
            kb.shared(s);
            stageAcrossWarps(kb, tid, lane, s, TExpr.ref(acc), null, null);
            TExpr inRange = KernelBuilder.lt(lane, TExpr.i32(warps));
            TExpr partial = kb.let("partial", new TExpr.Load(s.name(), Space.SHARED, lane, inRange, Combine.identity(reduction, accType), accType));
            kb.assign(acc, new TExpr.WarpReduce(wop, partial, accType));
        }
    }

    /** Lane 0 of each warp writes its warp's state to slot warp; then a barrier. */
    private static void stageAcrossWarps(KernelBuilder kb, TExpr tid, TExpr lane, SharedArray a, TExpr av, SharedArray b, TExpr bv) {
        TExpr warp = kb.let("warp", TExpr.binary(BinOp.DIV, tid, TExpr.i32(32)));
        TExpr leader = kb.let("leader", TExpr.binary(BinOp.EQ, lane, TExpr.i32(0)));
        kb.add(new TStmt.Store(a.name(), Space.SHARED, warp, av, leader));
        if (b != null) kb.add(new TStmt.Store(b.name(), Space.SHARED, warp, bv, leader));
        kb.add(new TStmt.Barrier());
    }

    /**
     * Xor-butterfly over the 32 lanes for a double-word sum: afterwards every lane holds the warp's sum and error
     * (the same in both lanes of a pair: TwoSum's error is exact, so it does not depend on the order).
     */
    private void pairButterfly(KernelBuilder kb) {
        for (int off = 16; off >= 1; off /= 2) {
            TExpr oa = kb.let("o_acc", new TExpr.Shuffle(TExpr.ShuffleKind.XOR, TExpr.ref(acc), TExpr.i32(off), accType));
            TExpr oe = kb.let("o_err", new TExpr.Shuffle(TExpr.ShuffleKind.XOR, TExpr.ref(error), TExpr.i32(off), accType));
            Combine.twoSum(kb, acc, error, oa, TExpr.binary(BinOp.ADD, TExpr.ref(error), oe));
        }
    }

    /** Xor-butterfly over the 32 lanes for an arg-reduction: afterwards every lane holds the warp's best. */
    private void butterfly(KernelBuilder kb) {
        for (int off = 16; off >= 1; off /= 2) {
            TExpr ov = kb.let("o_best", new TExpr.Shuffle(TExpr.ShuffleKind.XOR, TExpr.ref(best), TExpr.i32(off), accType));
            TExpr oi = kb.let("o_at", new TExpr.Shuffle(TExpr.ShuffleKind.XOR, TExpr.ref(bestAt), TExpr.i32(off), TType.I64));
            TExpr take = kb.let("take", Combine.better(reduction, ov, oi, TExpr.ref(best), TExpr.ref(bestAt)));
            kb.assign(best, TExpr.select(take, ov, TExpr.ref(best)));
            kb.assign(bestAt, TExpr.select(take, oi, TExpr.ref(bestAt)));
        }
    }
}
