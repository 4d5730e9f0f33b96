package kc.passes.lower;

import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
import kc.ir.graph.Value;
import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.SharedArray;
import kc.ir.tile.ScalarType;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Strategy;

/**
 * Lowers an {@link Op.Scan}. Strategy SCAN: one thread per line along the scanned dim, walking it in order (or
 * reversed); neighbouring threads take neighbouring lines, which suits a scan over an outer dim. Strategy BLOCK: a
 * block per line (a long contiguous row: a thread per row would read 32 rows' far-apart addresses per warp, with
 * too few threads to fill the GPU), see {@link #blockPerLine}.
 */
final class ScanLowering {
    private ScanLowering() {}

    /** The kernel and the plan buffers its parameters stand for. */
    static Lowering.Emitted lower(Node node, Lowering.Buffers buffers, String dest, String name, GroupSchedule gs) {
        return gs.strategy() == Strategy.BLOCK ? blockPerLine(node, buffers, dest, name, gs.threads()) : threadPerLine(node, buffers, dest, name, gs.threads());
    }

    private static Lowering.Emitted threadPerLine(Node node, Lowering.Buffers buffers, String dest, String name, int threads) {
        Op.Scan scan = (Op.Scan) node.op();
        Value in = node.operands().get(0);
        Shape shape = node.result().type().shape();
        long numel = shape.numel();
        long len = shape.dim(scan.dim());
        long inner = shape.strides()[scan.dim()];
        long lines = len == 0 ? 0 : numel / len;
        if (len > Integer.MAX_VALUE) throw new IllegalArgumentException("a scan of length " + len + " is too long");
        KernelBuilder kb = new KernelBuilder(numel + 1024L * 1024 < Integer.MAX_VALUE ? TType.I32 : TType.I64);
        DType rt = node.result().type().dtype(), it = in.type().dtype();
        String out = kb.buffer(dest, ScalarType.of(rt), numel, BufferParam.Access.WRITE);
        String src = kb.buffer(buffers.nameOf(in), ScalarType.of(it), in.type().shape().numel(), BufferParam.Access.READ);
        Launch launch = Lowering.grid(Math.max(1, GenericLowering.ceilDiv(lines, threads)), threads);
        TExpr bx = kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_X));
        TExpr block = launch.gridY() == 1 ? bx : KernelBuilder.add(KernelBuilder.mul(kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_Y)), launch.gridX()), bx);
        TExpr line = kb.let("line", KernelBuilder.add(KernelBuilder.mul(block, threads), kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X))));
        TType acc = Types.warp(Types.compute(rt));
        List<TStmt> body = kb.nested(() -> {
            TExpr outer = kb.let("outer", KernelBuilder.div(line, inner));
            TExpr j = kb.let("j", KernelBuilder.rem(line, inner));
            TExpr base = kb.let("base", KernelBuilder.add(KernelBuilder.mul(outer, len * inner), j));
            Var a = kb.declare("acc", new TExpr.Const(Combine.identity(scan.combiner(), acc), acc));
            Var err = Combine.compensated(scan.combiner(), acc) ? kb.declare("err", new TExpr.Const(0.0, acc)) : null;
            walk(kb, scan, src, it, acc, base, inner, len, TExpr.i32(0), TExpr.i32(len), a, err, out, rt);
        });
        kb.add(new TStmt.If(KernelBuilder.lt(line, kb.c(lines)), body, List.of()));
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }

    /** Elements a thread takes per segment of a block-per-line scan (two 16-byte vectors of fp32). */
    static final int SEGMENT_ITEMS = 8;

    /**
     * A block per line, walked in segments of threads x {@link #SEGMENT_ITEMS} elements, each thread taking that many
     * consecutive ones (16-byte vector loads and stores along a contiguous line of whole vectors), so a warp reads
     * and writes whole cache lines and the line is read once. Per segment: each thread scans its elements in
     * registers; a warp scans its threads' totals with shuffles; the last lane of each warp puts the warp's total in
     * shared memory (two halves used alternately, so one barrier per segment suffices); each thread combines the
     * totals of the warps before its own. Every output is the carry (the line before the segment) combined with its
     * prefix within the segment, and the carry moves on by the segment's total. Float sums are double-word
     * throughout (each partial carries its rounding errors, see {@link Part}), so the reassociation leaves only the
     * final rounding.
     */
    private static Lowering.Emitted blockPerLine(Node node, Lowering.Buffers buffers, String dest, String name, int threads) {
        Op.Scan scan = (Op.Scan) node.op();
        Op.Reduction r = scan.combiner();
        Value in = node.operands().get(0);
        Shape shape = node.result().type().shape();
        long numel = shape.numel(), len = shape.dim(scan.dim()), inner = shape.strides()[scan.dim()];
        long lines = len == 0 ? 0 : numel / len;
        if (len > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("a scan of length " + len + " is too long");
        int per = SEGMENT_ITEMS, segment = threads * per, warps = threads / 32;
        long segments = GenericLowering.ceilDiv(len, segment);
        // whole aligned vectors: a contiguous forward line of a multiple of 4 elements
        int width = !scan.reverse() && inner == 1 && len % 4 == 0 ? 4 : 1;
        KernelBuilder kb = new KernelBuilder(numel + 1024L * 1024 < Integer.MAX_VALUE ? TType.I32 : TType.I64);
        DType rt = node.result().type().dtype(), it = in.type().dtype();
        String out = kb.buffer(dest, ScalarType.of(rt), numel, BufferParam.Access.WRITE);
        String src = kb.buffer(buffers.nameOf(in), ScalarType.of(it), in.type().shape().numel(), BufferParam.Access.READ);
        Launch launch = Lowering.grid(Math.max(1, lines), threads);
        TExpr line = kb.let("line", GenericLowering.blockIndex(kb, launch));
        TType acc = Types.warp(Types.compute(rt));
        boolean dw = Combine.compensated(r, acc);
        double idValue = Combine.identity(r, acc);
        Part identity = new Part(new TExpr.Const(idValue, acc), dw ? new TExpr.Const(0.0, acc) : null);
        TExpr tid = new TExpr.Special(TExpr.Reg.THREAD_X), lane = new TExpr.Special(TExpr.Reg.LANE);
        TExpr warp = kb.let("warp", TExpr.binary(TExpr.BinOp.DIV, tid, TExpr.i32(32)));
        TExpr outer = kb.let("outer", KernelBuilder.div(line, inner));
        TExpr base = kb.let("base", KernelBuilder.add(KernelBuilder.mul(outer, len * inner), KernelBuilder.rem(line, inner)));
        SharedArray totals = new SharedArray("s_tot", acc.elem(), 2 * warps), totalErrs = new SharedArray("s_tot_err", acc.elem(), 2 * warps);
        kb.shared(totals);
        if (dw) kb.shared(totalErrs);
        Var carry = kb.declare("carry", identity.hi());
        Var carryErr = dw ? kb.declare("carry_err", identity.lo()) : null;
        Var seg = kb.fresh("seg", TType.I32);
        List<TStmt> body = kb.nested(() -> {
            TExpr first = kb.let("first", TExpr.binary(TExpr.BinOp.ADD, TExpr.binary(TExpr.BinOp.MUL, TExpr.ref(seg), TExpr.i32(segment)),
                    TExpr.binary(TExpr.BinOp.MUL, tid, TExpr.i32(per))));
            // the thread's elements (the identity past the end), and where each vector lives
            Part[] x = new Part[per];
            TExpr[] at = new TExpr[per / width], keep = new TExpr[per / width];
            for (int v = 0; v < per / width; v++) {
                TExpr pos = kb.let("pos", TExpr.binary(TExpr.BinOp.ADD, first, TExpr.i32((long) v * width)));
                keep[v] = kb.let("keep", TExpr.binary(TExpr.BinOp.LT, pos, TExpr.i32(len)));
                TExpr physical = scan.reverse() ? TExpr.binary(TExpr.BinOp.SUB, TExpr.i32(len - 1), pos) : pos;
                at[v] = kb.let("at", KernelBuilder.add(base, KernelBuilder.mul(kb.toIdx(physical), inner)));
                TExpr load = kb.let("xv", new TExpr.Load(src, Space.GLOBAL, at[v], keep[v], idValue,
                        width == 1 ? Types.storage(it) : new TType(ScalarType.of(it), width)));
                for (int j = 0; j < width; j++) {
                    TExpr e = width == 1 ? load : new TExpr.Lane(load, j, Types.storage(it));
                    x[v * width + j] = new Part(kb.let("x", BodyLowering.convert(BodyLowering.convert(e, Types.compute(it)), acc)), identity.lo());
                }
            }
            // the thread's inclusive prefixes
            Part[] p = new Part[per];
            p[0] = x[0];
            for (int j = 1; j < per; j++) p[j] = combine(kb, r, p[j - 1], x[j]);
            // the warp's inclusive scan of thread totals, then the totals of the lanes before this one
            Part total = p[per - 1];
            for (int d = 1; d < 32; d *= 2) {
                Part other = shuffle(kb, total, TExpr.binary(TExpr.BinOp.MAX, TExpr.binary(TExpr.BinOp.SUB, lane, TExpr.i32(d)), TExpr.i32(0)));
                total = select(kb, TExpr.binary(TExpr.BinOp.GE, lane, TExpr.i32(d)), combine(kb, r, other, total), total);
            }
            Part before = shuffle(kb, total, TExpr.binary(TExpr.BinOp.MAX, TExpr.binary(TExpr.BinOp.SUB, lane, TExpr.i32(1)), TExpr.i32(0)));
            Part lanesBefore = select(kb, TExpr.binary(TExpr.BinOp.GE, lane, TExpr.i32(1)), before, identity);
            // warp totals through shared memory, in this segment's half of the arrays
            TExpr half = kb.let("half", TExpr.binary(TExpr.BinOp.MUL, TExpr.binary(TExpr.BinOp.REM, TExpr.ref(seg), TExpr.i32(2)), TExpr.i32(warps)));
            TExpr last = TExpr.binary(TExpr.BinOp.EQ, lane, TExpr.i32(31)), slot = TExpr.binary(TExpr.BinOp.ADD, half, warp);
            kb.add(new TStmt.Store(totals.name(), Space.SHARED, slot, total.hi(), last));
            if (dw) kb.add(new TStmt.Store(totalErrs.name(), Space.SHARED, slot, total.lo(), last));
            kb.add(new TStmt.Barrier());
            Part warpsBefore = identity, segTotal = identity;
            for (int w = 0; w < warps; w++) {
                TExpr at2 = TExpr.binary(TExpr.BinOp.ADD, half, TExpr.i32(w));
                Part t = new Part(kb.let("t", new TExpr.Load(totals.name(), Space.SHARED, at2, null, 0, acc)),
                        dw ? kb.let("t_err", new TExpr.Load(totalErrs.name(), Space.SHARED, at2, null, 0, acc)) : null);
                if (w > 0) warpsBefore = select(kb, TExpr.binary(TExpr.BinOp.LT, TExpr.i32(w), warp), combine(kb, r, warpsBefore, t), warpsBefore);
                else warpsBefore = select(kb, TExpr.binary(TExpr.BinOp.LT, TExpr.i32(0), warp), t, identity);
                segTotal = w == 0 ? t : combine(kb, r, segTotal, t);
            }
            Part prefix = combine(kb, r, combine(kb, r, new Part(TExpr.ref(carry), dw ? TExpr.ref(carryErr) : null), warpsBefore), lanesBefore);
            TExpr[] values = new TExpr[per];
            for (int j = 0; j < per; j++) {
                Part v = combine(kb, r, prefix, p[j]);
                values[j] = BodyLowering.convert(dw ? Combine.doubleWordValue(kb, v.hi(), v.lo()) : v.hi(), Types.storage(rt));
            }
            for (int v = 0; v < per / width; v++) {
                TExpr value = width == 1 ? values[v] : TExpr.pack(java.util.Arrays.asList(values).subList(v * width, v * width + width));
                kb.add(new TStmt.Store(out, Space.GLOBAL, at[v], value, keep[v]));
            }
            Part moved = combine(kb, r, new Part(TExpr.ref(carry), dw ? TExpr.ref(carryErr) : null), segTotal);
            kb.assign(carry, moved.hi());
            if (dw) kb.assign(carryErr, moved.lo());
        });
        kb.add(new TStmt.For(seg, TExpr.i32(0), TExpr.i32(segments), 1, body, false));
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }

    /**
     * A partial result of a scan: its value, and for a double-word sum ({@code lo} non-null) the rounding errors
     * its additions made, which the final value adds back (unless they are NaN: an infinity's, see
     * {@link Combine#doubleWordValue}).
     */
    private record Part(TExpr hi, TExpr lo) {}

    /** a then b: the combiner's value, or for double-word sums a TwoSum whose error joins both parts' errors. */
    private static Part combine(KernelBuilder kb, Op.Reduction r, Part a, Part b) {
        if (a.lo() == null) return new Part(kb.let("c", Combine.value(r, a.hi(), b.hi())), null);
        TExpr[] se = Combine.twoSum(kb, a.hi(), b.hi());
        return new Part(se[0], kb.let("lo", TExpr.binary(TExpr.BinOp.ADD, TExpr.binary(TExpr.BinOp.ADD, a.lo(), b.lo()), se[1])));
    }

    private static Part select(KernelBuilder kb, TExpr cond, Part a, Part b) {
        TExpr c = kb.let("sel", cond);
        return new Part(kb.let("v", TExpr.select(c, a.hi(), b.hi())), a.lo() == null ? null : kb.let("v_err", TExpr.select(c, a.lo(), b.lo())));
    }

    /** Lane {@code from}'s part (every lane of the warp takes part). */
    private static Part shuffle(KernelBuilder kb, Part a, TExpr from) {
        TExpr f = kb.let("from", from);
        return new Part(kb.let("o", new TExpr.Shuffle(TExpr.ShuffleKind.IDX, a.hi(), f, a.hi().type())),
                a.lo() == null ? null : kb.let("o_err", new TExpr.Shuffle(TExpr.ShuffleKind.IDX, a.lo(), f, a.lo().type())));
    }

    /** Steps lo..hi of the line into (a, err); with {@code out} non-null, stores each step's value there. */
    private static void walk(KernelBuilder kb, Op.Scan scan, String src, DType it, TType acc, TExpr base, long inner, long len,
                             TExpr lo, TExpr hi, Var a, Var err, String out, DType rt) {
        Var t = kb.fresh("t", TType.I32);
        List<TStmt> step = kb.nested(() -> {
            TExpr pos = scan.reverse() ? TExpr.binary(TExpr.BinOp.SUB, TExpr.i32(len - 1), TExpr.ref(t)) : TExpr.ref(t);
            TExpr at = kb.let("at", KernelBuilder.add(base, KernelBuilder.mul(kb.toIdx(pos), inner)));
            TExpr x = kb.let("x", BodyLowering.convert(BodyLowering.convert(
                    new TExpr.Load(src, Space.GLOBAL, at, null, 0, Types.storage(it)), Types.compute(it)), acc));
            if (err != null) Combine.twoSum(kb, a, err, x, TExpr.ref(err));
            else kb.assign(a, Combine.value(scan.combiner(), TExpr.ref(a), x));
            if (out != null) {
                TExpr value = err != null ? Combine.doubleWordValue(kb, a, err) : TExpr.ref(a);
                kb.add(new TStmt.Store(out, Space.GLOBAL, at, BodyLowering.convert(value, Types.storage(rt)), null));
            }
        });
        kb.add(new TStmt.For(t, lo, hi, 1, step, false));
    }
}
