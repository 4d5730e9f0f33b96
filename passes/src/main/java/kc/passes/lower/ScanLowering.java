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

    /**
     * A block per line; thread t owns the t-th of {@code threads} consecutive chunks of it. Pass 1: each thread
     * combines its chunk. Then an inclusive scan of the chunk totals across the block in shared memory (Hillis and
     * Steele: log2(threads) steps), from which each thread takes the total of the chunks before its own. Pass 2: each
     * thread walks its chunk again from that prefix, storing every step. The chunk is read twice, the second time
     * from the cache. Float sums stay double-word throughout (the partial totals and their combination carry their
     * rounding errors), so the reassociation leaves only the final rounding.
     */
    private static Lowering.Emitted blockPerLine(Node node, Lowering.Buffers buffers, String dest, String name, int threads) {
        Op.Scan scan = (Op.Scan) node.op();
        Value in = node.operands().get(0);
        Shape shape = node.result().type().shape();
        long numel = shape.numel(), len = shape.dim(scan.dim()), inner = shape.strides()[scan.dim()];
        long lines = len == 0 ? 0 : numel / len, chunk = GenericLowering.ceilDiv(len, threads);
        if (len > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("a scan of length " + len + " is too long");
        KernelBuilder kb = new KernelBuilder(numel + 1024L * 1024 < Integer.MAX_VALUE ? TType.I32 : TType.I64);
        DType rt = node.result().type().dtype(), it = in.type().dtype();
        String out = kb.buffer(dest, ScalarType.of(rt), numel, BufferParam.Access.WRITE);
        String src = kb.buffer(buffers.nameOf(in), ScalarType.of(it), in.type().shape().numel(), BufferParam.Access.READ);
        Launch launch = Lowering.grid(Math.max(1, lines), threads);
        TExpr line = kb.let("line", GenericLowering.blockIndex(kb, launch));
        TType acc = Types.warp(Types.compute(rt));
        boolean dw = Combine.compensated(scan.combiner(), acc);
        TExpr identity = new TExpr.Const(Combine.identity(scan.combiner(), acc), acc), zero = new TExpr.Const(0.0, acc);
        TExpr tid = new TExpr.Special(TExpr.Reg.THREAD_X);
        TExpr outer = kb.let("outer", KernelBuilder.div(line, inner));
        TExpr base = kb.let("base", KernelBuilder.add(KernelBuilder.mul(outer, len * inner), KernelBuilder.rem(line, inner)));
        TExpr lo = kb.let("lo", TExpr.binary(TExpr.BinOp.MIN, TExpr.binary(TExpr.BinOp.MUL, tid, TExpr.i32(chunk)), TExpr.i32(len)));
        TExpr hi = kb.let("hi", TExpr.binary(TExpr.BinOp.MIN, TExpr.binary(TExpr.BinOp.ADD, lo, TExpr.i32(chunk)), TExpr.i32(len)));
        Var a = kb.declare("acc", identity);
        Var err = dw ? kb.declare("err", zero) : null;
        // pass 1: this thread's chunk total
        walk(kb, scan, src, it, acc, base, inner, len, lo, hi, a, err, null, null);
        // the block's inclusive scan of the chunk totals
        SharedArray sAcc = new SharedArray("s_acc", acc.elem(), threads), sErr = dw ? new SharedArray("s_err", acc.elem(), threads) : null;
        kb.shared(sAcc);
        if (dw) kb.shared(sErr);
        kb.add(new TStmt.Store(sAcc.name(), Space.SHARED, tid, TExpr.ref(a), null));
        if (dw) kb.add(new TStmt.Store(sErr.name(), Space.SHARED, tid, TExpr.ref(err), null));
        kb.add(new TStmt.Barrier());
        for (int d = 1; d < threads; d *= 2) {
            TExpr has = kb.let("has", TExpr.binary(TExpr.BinOp.GE, tid, TExpr.i32(d)));
            TExpr from = TExpr.binary(TExpr.BinOp.SUB, tid, TExpr.i32(d));
            TExpr other = kb.let("other", new TExpr.Load(sAcc.name(), Space.SHARED, from, has, Combine.identity(scan.combiner(), acc), acc));
            TExpr otherErr = dw ? kb.let("other_err", new TExpr.Load(sErr.name(), Space.SHARED, from, has, 0, acc)) : null;
            kb.add(new TStmt.Barrier());
            // earlier chunks first: other + this (the combiners are associative; for sums the order keeps errors exact anyway)
            if (dw) {
                Var o = kb.declare("o", other), oe = kb.declare("oe", otherErr);
                Combine.twoSum(kb, o, oe, TExpr.ref(a), TExpr.binary(TExpr.BinOp.ADD, TExpr.ref(oe), TExpr.ref(err)));
                kb.assign(a, TExpr.ref(o));
                kb.assign(err, TExpr.ref(oe));
            } else {
                kb.assign(a, Combine.value(scan.combiner(), other, TExpr.ref(a)));
            }
            kb.add(new TStmt.Store(sAcc.name(), Space.SHARED, tid, TExpr.ref(a), null));
            if (dw) kb.add(new TStmt.Store(sErr.name(), Space.SHARED, tid, TExpr.ref(err), null));
            kb.add(new TStmt.Barrier());
        }
        // the chunks before this thread's: slot t - 1 of the inclusive scan
        TExpr first = kb.let("first", TExpr.binary(TExpr.BinOp.GE, tid, TExpr.i32(1)));
        TExpr prev = TExpr.binary(TExpr.BinOp.SUB, tid, TExpr.i32(1));
        kb.assign(a, new TExpr.Load(sAcc.name(), Space.SHARED, prev, first, Combine.identity(scan.combiner(), acc), acc));
        if (dw) kb.assign(err, new TExpr.Load(sErr.name(), Space.SHARED, prev, first, 0, acc));
        // pass 2: the chunk again from that prefix, storing each step
        walk(kb, scan, src, it, acc, base, inner, len, lo, hi, a, err, out, rt);
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
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
