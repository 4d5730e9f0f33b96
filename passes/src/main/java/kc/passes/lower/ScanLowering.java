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
import kc.ir.tile.ScalarType;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/** Lowers an {@link Op.Scan}: one thread per line along the scanned dim, walking it in order (or reversed). */
final class ScanLowering {
    private ScanLowering() {}

    /** The kernel and the plan buffers its parameters stand for. */
    static Lowering.Emitted lower(Node node, Lowering.Buffers buffers, String dest, String name, int threads) {
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
            Var t = kb.fresh("t", TType.I32);
            List<TStmt> step = kb.nested(() -> {
                TExpr pos = scan.reverse() ? TExpr.binary(TExpr.BinOp.SUB, TExpr.i32(len - 1), TExpr.ref(t)) : TExpr.ref(t);
                TExpr at = kb.let("at", KernelBuilder.add(base, KernelBuilder.mul(kb.toIdx(pos), inner)));
                TExpr x = kb.let("x", BodyLowering.convert(BodyLowering.convert(
                        new TExpr.Load(src, Space.GLOBAL, at, null, 0, Types.storage(it)), Types.compute(it)), acc));
                if (err != null) Combine.twoSum(kb, a, err, x, TExpr.ref(err));
                else kb.assign(a, Combine.value(scan.combiner(), TExpr.ref(a), x));
                TExpr value = err != null ? Combine.doubleWordValue(kb, a, err) : TExpr.ref(a);
                kb.add(new TStmt.Store(out, Space.GLOBAL, at, BodyLowering.convert(value, Types.storage(rt)), null));
            });
            kb.add(new TStmt.For(t, TExpr.i32(0), TExpr.i32(len), 1, step, false));
        });
        kb.add(new TStmt.If(KernelBuilder.lt(line, kb.c(lines)), body, List.of()));
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }
}
