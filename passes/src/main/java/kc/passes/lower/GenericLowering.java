package kc.passes.lower;

import java.util.ArrayList;
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
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;
import kc.passes.schedule.Strategy;

/**
 * Lowers one {@link Op.Generic} node. POINTWISE: a thread per output element, the reduction (if any) as nested
 * sequential loops. BLOCK_REDUCE: a block per output element, its threads striding over the flattened reduction,
 * combined by warp reductions (or shuffles, for arg-reductions) and a shared-memory stage across warps.
 */
final class GenericLowering {
    private final Node node;
    private final Op.Generic op;
    private final Lowering.Buffers buffers;
    private final String dest;
    private final long[] dims;
    private final int resultRank;
    private final long outputs;
    private final long reduceCount;
    private final KernelBuilder kb;
    private String out;

    GenericLowering(Node node, Lowering.Buffers buffers, String dest) {
        this.node = node;
        this.op = (Op.Generic) node.op();
        this.buffers = buffers;
        this.dest = dest;
        Shape rs = node.result().type().shape();
        resultRank = rs.rank();
        int q = op.reduceShape().rank();
        dims = new long[resultRank + q];
        for (int d = 0; d < resultRank; d++) dims[d] = rs.dim(d);
        for (int d = 0; d < q; d++) dims[resultRank + d] = op.reduceShape().dim(d);
        outputs = rs.numel();
        reduceCount = op.reduceShape().numel();
        this.kb = new KernelBuilder(indexType());
    }

    /** i32 when every buffer, coordinate and index sub-expression of the kernel fits comfortably. */
    private TType indexType() {
        long limit = Integer.MAX_VALUE - 4096L;
        long m = outputs + 1024L * 1024;
        for (long d : dims) m = Math.max(m, d);
        for (int k = 0; k < op.maps().size(); k++) {
            m = Math.max(m, node.operands().get(k).type().shape().numel());
            long[] strides = node.operands().get(k).type().shape().strides();
            long flat = 0;
            for (int i = 0; i < op.maps().get(k).rank(); i++) {
                long mag = IndexLowering.magnitude(op.maps().get(k).exprs().get(i), dims);
                m = Math.max(m, mag);
                flat += mag * strides[i];
                if (flat > limit || flat < 0) return TType.I64;
            }
            m = Math.max(m, flat);
        }
        return m > limit ? TType.I64 : TType.I32;
    }

    /** The plan buffers the kernel's parameters stand for, in order (valid after lower). */
    List<String> args() { return kb.args(); }

    Kernel lower(String name, Strategy strategy, int threads) {
        out = kb.buffer(dest, ScalarType.of(node.result().type().dtype()), outputs, BufferParam.Access.WRITE);
        return switch (strategy) {
            case POINTWISE -> pointwise(name, threads);
            case BLOCK_REDUCE -> blockReduce(name, threads);
            default -> throw new IllegalArgumentException("a generic op cannot be lowered with " + strategy);
        };
    }

    // ---- POINTWISE ----

    private Kernel pointwise(String name, int threads) {
        Launch launch = Lowering.grid(Math.max(1, ceilDiv(outputs, threads)), threads);
        TExpr o = kb.let("o", KernelBuilder.add(KernelBuilder.mul(blockId(launch), threads), kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X))));
        List<TStmt> inside = kb.nested(() -> {
            TExpr[] coords = new TExpr[dims.length];
            decompose(o, coords);
            Accumulator acc = new Accumulator(op.reduction(), resultType(), bodyType());
            acc.declare(kb);
            reductionLoops(coords, resultRank, acc);
            store(acc.result(kb), o, null);
        });
        kb.add(new TStmt.If(KernelBuilder.lt(o, kb.c(outputs)), inside, List.of()));
        return kb.build(name, launch);
    }

    /** Nested loops over reduction dims from d (none for NONE), evaluating and combining the body innermost. */
    private void reductionLoops(TExpr[] coords, int d, Accumulator acc) {
        if (d == dims.length) {
            TExpr v = body(coords, acc.splitsProducts());
            TExpr at = op.reduction() == Op.Reduction.ARGMAX || op.reduction() == Op.Reduction.ARGMIN ? flatReduceIndex(coords) : null;
            acc.combine(kb, v, at);
            return;
        }
        Var i = kb.fresh("r" + (d - resultRank), TType.I32);
        List<TStmt> loop = kb.nested(() -> {
            coords[d] = kb.toIdx(TExpr.ref(i));
            reductionLoops(coords, d + 1, acc);
        });
        kb.add(new TStmt.For(i, TExpr.i32(0), TExpr.i32(dims[d]), 1, loop, false));
    }

    private TExpr flatReduceIndex(TExpr[] coords) {
        TExpr at = new TExpr.Const(0, TType.I64);
        long stride = 1;
        for (int d = dims.length - 1; d >= resultRank; d--) {
            at = KernelBuilder.add(at, KernelBuilder.mul(TExpr.cast(coords[d], TType.I64), stride));
            stride *= dims[d];
        }
        return kb.let("at", at);
    }

    // ---- BLOCK_REDUCE ----

    private Kernel blockReduce(String name, int threads) {
        if (reduceCount > Integer.MAX_VALUE - threads)
            throw new IllegalArgumentException("a reduction of " + reduceCount + " elements is too long for one block's i32 loop");
        Launch launch = Lowering.grid(Math.max(1, outputs), threads);
        TExpr bid = kb.let("o", blockId(launch));
        // Blocks past the end (a 2-D grid's tail) compute the last element again and store nothing.
        TExpr o = kb.let("oc", TExpr.binary(BinOp.MIN, bid, kb.c(Math.max(0, outputs - 1))));
        TExpr[] coords = new TExpr[dims.length];
        decompose(o, coords);
        Accumulator acc = new Accumulator(op.reduction(), resultType(), bodyType());
        acc.declare(kb);
        Var r = kb.fresh("r", TType.I32);
        List<TStmt> loop = kb.nested(() -> {
            TExpr rest = kb.toIdx(TExpr.ref(r));
            for (int d = dims.length - 1; d >= resultRank; d--) {
                coords[d] = kb.let("c" + d, d == resultRank ? rest : KernelBuilder.rem(rest, dims[d]));
                if (d > resultRank) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
            }
            TExpr at = acc.isArg() ? TExpr.cast(TExpr.ref(r), TType.I64) : null;
            acc.combine(kb, body(coords, acc.splitsProducts()), at);
        });
        kb.add(new TStmt.For(r, new TExpr.Special(TExpr.Reg.THREAD_X), TExpr.i32(reduceCount), threads, loop, false));
        acc.blockCombine(kb, threads);
        TExpr first = TExpr.binary(BinOp.EQ, new TExpr.Special(TExpr.Reg.THREAD_X), TExpr.i32(0));
        store(acc.result(kb), bid, KernelBuilder.and(first, KernelBuilder.lt(bid, kb.c(outputs))));
        return kb.build(name, launch);
    }

    // ---- shared pieces ----

    /** The linear block index of a possibly 2-D grid, in the index type. */
    private TExpr blockId(Launch launch) {
        TExpr x = kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_X));
        if (launch.gridY() == 1) return x;
        return KernelBuilder.add(KernelBuilder.mul(kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_Y)), launch.gridX()), x);
    }

    /** Result coordinates of flat output index o (row-major). */
    private void decompose(TExpr o, TExpr[] coords) {
        TExpr rest = o;
        for (int d = resultRank - 1; d >= 0; d--) {
            coords[d] = d == 0 ? rest : kb.let("c" + d, KernelBuilder.rem(rest, dims[d]));
            if (d > 0) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
        }
        if (resultRank > 0 && !(coords[0] instanceof TExpr.Ref || coords[0] instanceof TExpr.Const)) coords[0] = kb.let("c0", coords[0]);
    }

    private DType resultType() { return node.result().type().dtype(); }

    private List<DType> operandTypes() {
        List<DType> types = new ArrayList<>();
        for (Value v : node.operands()) types.add(v.type().dtype());
        return types;
    }

    private DType bodyType() { return new BodyLowering(kb, operandTypes(), k -> null, new TExpr[0]).typeOf(op.body()); }

    /** The body's value at coords; unbound (its top operation in sight) when the accumulator asks. */
    private TExpr body(TExpr[] coords, boolean unbound) {
        IndexLowering ix = new IndexLowering(kb, coords, dims);
        BodyLowering bl = new BodyLowering(kb, operandTypes(), k -> read(ix, k), coords);
        return unbound ? bl.expression(op.body()) : bl.lower(op.body());
    }

    private TExpr read(IndexLowering ix, int k) {
        Value v = node.operands().get(k);
        DType dt = v.type().dtype();
        String buf = kb.buffer(buffers.nameOf(v), ScalarType.of(dt), v.type().shape().numel(), BufferParam.Access.READ);
        IndexLowering.Access a = ix.access(op.maps().get(k), v.type().shape());
        double pad = op.maps().get(k).pad() == null ? 0 : op.maps().get(k).pad();
        TExpr offset = kb.let("off", a.offset());
        TExpr load = new TExpr.Load(buf, Space.GLOBAL, offset, a.valid() == null ? null : kb.let("valid", a.valid()), pad, Types.storage(dt));
        return BodyLowering.convert(load, Types.compute(dt));
    }

    private void store(TExpr value, TExpr index, TExpr mask) {
        DType dt = resultType();
        kb.add(new TStmt.Store(out, Space.GLOBAL, index, BodyLowering.convert(value, Types.storage(dt)), mask));
    }

    static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
