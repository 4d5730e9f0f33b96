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
import kc.passes.schedule.Accumulation;
import kc.passes.schedule.Strategy;

/**
 * Lowers one {@link Op.Generic} node (a fusion group: producers inlined into its body, consumers in its epilogue).
 * POINTWISE: a thread per output element, the reduction (if any) as nested sequential loops. BLOCK and WARP: a
 * block or a warp per output element, its threads striding over the flattened reduction, combined by warp
 * reductions (or shuffles, for arg-reductions) and, for a block, a shared-memory stage across warps.
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
    private final boolean doubleWordSums;
    private String out;

    GenericLowering(Node node, Lowering.Buffers buffers, String dest, Accumulation accumulation) {
        this.node = node;
        this.doubleWordSums = accumulation == Accumulation.DOUBLE;
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
            case BLOCK -> cooperative(name, threads, false);
            case WARP -> cooperative(name, threads, true);
            case GRID, SCAN -> throw new IllegalArgumentException("a generic op cannot be lowered with strategy " + strategy.word());
        };
    }

    // ---- POINTWISE ----

    private Kernel pointwise(String name, int threads) {
        Launch launch = Lowering.grid(Math.max(1, ceilDiv(outputs, threads)), threads);
        TExpr o = kb.let("o", KernelBuilder.add(KernelBuilder.mul(blockId(launch), threads), kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X))));
        List<TStmt> inside = kb.nested(() -> {
            TExpr[] coords = new TExpr[dims.length];
            decompose(o, coords);
            Accumulator acc = accumulator();
            acc.declare(kb);
            reductionLoops(coords, resultRank, acc);
            store(acc.result(kb), coords, o, null);
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

    // ---- BLOCK and WARP ----

    /**
     * BLOCK: a block per output element, its threads striding over the flattened reduction, combined by warp
     * reductions and a shared-memory stage across warps. WARP: a warp per output element (a block holds
     * threads / 32 of them), its lanes striding over the reduction, combined by shuffles alone.
     */
    private Kernel cooperative(String name, int threads, boolean perWarp) {
        int lanes = perWarp ? 32 : threads;
        int perBlock = perWarp ? threads / 32 : 1;
        if (reduceCount > Integer.MAX_VALUE - lanes)
            throw new IllegalArgumentException("a reduction of " + reduceCount + " elements is too long for an i32 loop");
        Launch launch = Lowering.grid(Math.max(1, ceilDiv(outputs, perBlock)), threads);
        TExpr bid = perWarp
                ? kb.let("o", KernelBuilder.add(KernelBuilder.mul(blockId(launch), perBlock),
                        kb.toIdx(TExpr.binary(BinOp.DIV, new TExpr.Special(TExpr.Reg.THREAD_X), TExpr.i32(32)))))
                : kb.let("o", blockId(launch));
        // Blocks (warps) past the end compute the last element again and store nothing: every lane takes part in the combine.
        TExpr o = kb.let("oc", TExpr.binary(BinOp.MIN, bid, kb.c(Math.max(0, outputs - 1))));
        TExpr[] coords = new TExpr[dims.length];
        decompose(o, coords);
        Accumulator acc = accumulator();
        acc.declare(kb);
        Var r = kb.fresh("r", TType.I32);
        TExpr lane = perWarp ? new TExpr.Special(TExpr.Reg.LANE) : new TExpr.Special(TExpr.Reg.THREAD_X);
        TExpr[] inner = coords.clone();
        List<TStmt> loop = kb.nested(() -> {
            TExpr rest = kb.toIdx(TExpr.ref(r));
            for (int d = dims.length - 1; d >= resultRank; d--) {
                inner[d] = kb.let("c" + d, d == resultRank ? rest : KernelBuilder.rem(rest, dims[d]));
                if (d > resultRank) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
            }
            TExpr at = acc.isArg() ? TExpr.cast(TExpr.ref(r), TType.I64) : null;
            acc.combine(kb, body(inner, acc.splitsProducts()), at);
        });
        kb.add(new TStmt.For(r, lane, TExpr.i32(reduceCount), lanes, loop, false));
        acc.blockCombine(kb, lanes);
        TExpr first = TExpr.binary(BinOp.EQ, lane, TExpr.i32(0));
        store(acc.result(kb), coords, bid, KernelBuilder.and(first, KernelBuilder.lt(bid, kb.c(outputs))));
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

    /** The type the reduction combines in: the result's, or with an epilogue the type its combined value has. */
    private DType reducedType() {
        return op.epilogue() == null ? resultType() : kc.ir.graph.ScalarTypes.reducedType(op.epilogue());
    }

    private Accumulator accumulator() { return new Accumulator(op.reduction(), reducedType(), bodyType(), doubleWordSums); }

    private List<DType> operandTypes() {
        List<DType> types = new ArrayList<>();
        for (Value v : node.operands()) types.add(v.type().dtype());
        return types;
    }

    private DType bodyType() { return new BodyLowering(kb, operandTypes(), k -> null, new TExpr[0], null).typeOf(op.body()); }

    /** The body's value at coords; unbound (its top operation in sight) when the accumulator asks. */
    private TExpr body(TExpr[] coords, boolean unbound) {
        IndexLowering ix = new IndexLowering(kb, coords, dims);
        BodyLowering bl = new BodyLowering(kb, operandTypes(), k -> read(ix, k), coords, null);
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

    /**
     * Stores the combined value at output index {@code index} (coordinates {@code coords}), through the epilogue when
     * the op has one: its reads use result dims only, so they are made at the output point.
     */
    private void store(TExpr value, TExpr[] coords, TExpr index, TExpr mask) {
        DType dt = resultType();
        if (op.epilogue() != null) {
            TExpr combined = kb.let("acc", BodyLowering.convert(value, Types.compute(reducedType())));
            IndexLowering ix = new IndexLowering(kb, coords, dims);
            value = new BodyLowering(kb, operandTypes(), k -> read(ix, k), coords, combined).lower(op.epilogue());
        }
        kb.add(new TStmt.Store(out, Space.GLOBAL, index, BodyLowering.convert(value, Types.storage(dt)), mask));
    }

    static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
