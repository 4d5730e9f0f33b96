package kc.passes.lower;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.ir.tile.BufferParam;
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
import kc.passes.schedule.Contraction;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Tiles;

/**
 * Lowers a contraction group (see {@link Contraction}) with strategy TILE: a block per tile of {@code m} rows x
 * {@code n} columns of one batch point. For each step of {@code k} reduction terms the block's threads load the row
 * factor's m x k tile and the column factor's k x n tile into shared memory (k-major, each evaluated through its
 * prologue; terms past an edge are 0), then each thread adds the products into its threadM x threadN outputs in
 * registers, reading its rows and columns from shared memory as vectors. A thread's rows are threadM / v runs of v
 * consecutive rows spaced m / (threadM / v) apart (v = 4 where it divides): a warp's vector reads are then
 * consecutive and free of bank conflicts. Each output goes through the epilogue and is stored where it is in range.
 *
 * <p>Numerics: under {@code accumulate plain} the products go straight into fp32 totals (legality allows that for
 * short reductions only); under {@code accumulate double} runs of a few products are summed plainly and each run's
 * sum joins a double-word total by TwoSum (see {@link Tiles#compensationRun}).
 */
final class ContractionLowering {
    private final Node node;
    private final Op.Generic op;
    private final Lowering.Buffers buffers;
    private final String dest;
    private final Contraction c;
    private final Tiles t;
    private final boolean doubleWord;
    /** Under double-word totals: the products summed plainly before each compensated add (see {@link Tiles#compensationRun}). */
    private final int run;
    private final long rowCount, colCount, batchCount, kCount;
    private final KernelBuilder kb;

    ContractionLowering(Node node, Lowering.Buffers buffers, String dest, GroupSchedule schedule) {
        this.node = node;
        this.op = (Op.Generic) node.op();
        this.buffers = buffers;
        this.dest = dest;
        this.c = Contraction.of(node);
        if (c == null) throw new IllegalArgumentException("strategy tile needs a contraction");
        this.t = schedule.tiles();
        this.doubleWord = schedule.accumulation() == Accumulation.DOUBLE;
        this.rowCount = c.rowCount();
        this.colCount = c.colCount();
        this.batchCount = c.batchCount();
        this.kCount = c.kCount();
        this.run = Tiles.compensationRun(t.k(), kCount);
        long tiles = batchCount * ceilDiv(rowCount, t.m()) * ceilDiv(colCount, t.n());
        this.kb = new KernelBuilder(GenericLowering.indexType(node, c.dims(), tiles + (long) t.m() * t.n()));
    }

    Lowering.Emitted lower(String name) {
        int threads = t.threads(), colThreads = t.n() / t.threadN();
        long rowTiles = ceilDiv(rowCount, t.m()), colTiles = ceilDiv(colCount, t.n());
        long blocks = batchCount * rowTiles * colTiles;
        Launch launch = Lowering.grid(blocks, threads);
        String out = kb.buffer(dest, ScalarType.of(resultType()), node.result().type().shape().numel(), BufferParam.Access.WRITE);
        kb.shared(new SharedArray("rows_tile", ScalarType.F32, t.k() * t.m()));
        kb.shared(new SharedArray("cols_tile", ScalarType.F32, t.k() * t.n()));
        List<TStmt> body = kb.nested(() -> {
            TExpr b = kb.let("b", GenericLowering.blockIndex(kb, launch));
            TExpr colTile = kb.let("tc", KernelBuilder.rem(b, colTiles));
            TExpr q = kb.let("q", KernelBuilder.div(b, colTiles));
            TExpr rowTile = kb.let("tr", KernelBuilder.rem(q, rowTiles));
            TExpr batchPoint = kb.let("bp", KernelBuilder.div(q, rowTiles));
            TExpr rowBase = kb.let("row0", KernelBuilder.mul(rowTile, t.m()));
            TExpr colBase = kb.let("col0", KernelBuilder.mul(colTile, t.n()));
            TExpr tid = kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X));
            TExpr tx = kb.let("tx", KernelBuilder.rem(tid, colThreads));
            TExpr ty = kb.let("ty", KernelBuilder.div(tid, colThreads));
            TExpr[] batchCoords = new TExpr[c.dims().length];
            decompose(batchPoint, c.batch(), batchCoords);
            int tm = t.threadM(), tn = t.threadN();
            Var[][] total = new Var[tm][tn], error = new Var[tm][tn], part = new Var[tm][tn];
            for (int i = 0; i < tm; i++)
                for (int j = 0; j < tn; j++) {
                    total[i][j] = kb.declare("acc", TExpr.f32(0));
                    if (doubleWord) {
                        error[i][j] = kb.declare("err", TExpr.f32(0));
                        part[i][j] = kb.declare("part", TExpr.f32(0));
                    }
                }
            Var k0 = kb.fresh("k0", TType.I32);
            List<TStmt> steps = kb.nested(() -> {
                TExpr kBase = kb.toIdx(TExpr.ref(k0));
                loadTile("rows_tile", c.rowFactor(), c.rows(), rowCount, t.m(), c.rowsAlongK(), rowBase, kBase, batchCoords, tid, threads);
                loadTile("cols_tile", c.colFactor(), c.cols(), colCount, t.n(), c.colsAlongK(), colBase, kBase, batchCoords, tid, threads);
                kb.add(new TStmt.Barrier());
                multiplyTiles(total, error, part, tx, ty);
                kb.add(new TStmt.Barrier());
            });
            kb.add(new TStmt.For(k0, TExpr.i32(0), TExpr.i32(kCount), t.k(), steps, false));
            for (int i = 0; i < tm; i++)
                for (int j = 0; j < tn; j++) {
                    TExpr value = doubleWord ? Combine.doubleWordValue(kb, total[i][j], error[i][j]) : TExpr.ref(total[i][j]);
                    store(out, value, KernelBuilder.add(rowBase, kb.c(local(i, tm, t.m()))), KernelBuilder.add(colBase, kb.c(local(j, tn, t.n()))),
                            ty, tx, batchCoords);
                }
        });
        if (launch.blocks() == blocks) body.forEach(kb::add);
        else kb.add(new TStmt.If(KernelBuilder.lt(GenericLowering.blockIndex(kb, launch), kb.c(blocks)), body, List.of())); // a 2-D grid's extra blocks
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }

    /** Rows (columns) a thread reads from shared memory with one access. */
    private static int vectorWidth(int perThread) { return perThread % 4 == 0 ? 4 : perThread % 2 == 0 ? 2 : 1; }

    /**
     * Where a thread's i-th row is, from its first row (see {@link #first}): runs of v consecutive rows, the runs
     * spaced tile * v / perThread apart.
     */
    private static long local(int i, int perThread, int tile) {
        int v = vectorWidth(perThread);
        return (long) (i / v) * (tile * v / perThread) + i % v;
    }

    /** A thread's first row (column) within the tile: thread index times the vector width. */
    private TExpr first(TExpr threadIndex, int perThread) { return KernelBuilder.mul(threadIndex, vectorWidth(perThread)); }

    /**
     * One reduction step: for each of the k terms, the thread's rows and columns from shared memory, then
     * threadM x threadN fused multiply-adds: into the totals, or under double-word totals into plain partial sums
     * that join the totals by TwoSum every {@link #run} terms.
     */
    private void multiplyTiles(Var[][] total, Var[][] error, Var[][] part, TExpr tx, TExpr ty) {
        int tm = t.threadM(), tn = t.threadN();
        TExpr rowFirst = kb.let("ra", first(ty, tm)), colFirst = kb.let("ca", first(tx, tn));
        Var[][] into = doubleWord ? part : total;
        Var kr = kb.fresh("kr", TType.I32);
        List<TStmt> runOfTerms = kb.nested(() -> {
            Var kk = kb.fresh("kk", TType.I32);
            List<TStmt> term = kb.nested(() -> {
                TExpr kx = kb.let("kx", kb.toIdx(TExpr.binary(BinOp.ADD, TExpr.ref(kr), TExpr.ref(kk))));
                List<TExpr> a = fragment("rows_tile", kx, rowFirst, tm, t.m());
                List<TExpr> b = fragment("cols_tile", kx, colFirst, tn, t.n());
                for (int i = 0; i < tm; i++)
                    for (int j = 0; j < tn; j++) kb.assign(into[i][j], TExpr.fma(a.get(i), b.get(j), TExpr.ref(into[i][j])));
            });
            kb.add(new TStmt.For(kk, TExpr.i32(0), TExpr.i32(doubleWord ? run : t.k()), 1, term, true));
            if (doubleWord)
                for (int i = 0; i < tm; i++)
                    for (int j = 0; j < tn; j++) {
                        Combine.twoSum(kb, total[i][j], error[i][j], TExpr.ref(part[i][j]), TExpr.ref(error[i][j]));
                        kb.assign(part[i][j], TExpr.f32(0));
                    }
        });
        kb.add(new TStmt.For(kr, TExpr.i32(0), TExpr.i32(t.k()), doubleWord ? run : t.k(), runOfTerms, true));
    }

    /** A thread's perThread values of row kx of a k-major shared tile, read as vectors. */
    private List<TExpr> fragment(String tile, TExpr kx, TExpr firstIndex, int perThread, int width) {
        int v = vectorWidth(perThread);
        TExpr rowStart = kb.let("at", KernelBuilder.add(KernelBuilder.mul(kx, width), firstIndex));
        List<TExpr> values = new ArrayList<>();
        for (int run = 0; run < perThread / v; run++) {
            TExpr at = KernelBuilder.add(rowStart, kb.c((long) run * (width * v / perThread)));
            TExpr x = kb.let("s", new TExpr.Load(tile, Space.SHARED, at, null, 0, new TType(ScalarType.F32, v)));
            for (int l = 0; l < v; l++) values.add(v == 1 ? x : kb.let("f", new TExpr.Lane(x, l, TType.F32)));
        }
        return values;
    }

    /**
     * The block's threads load one factor's tile of {@code size} x k into shared memory (k-major): element e of the
     * tile is read by thread e % threads; consecutive threads take consecutive terms when the operand is contiguous
     * along the reduction, else consecutive rows. Terms outside the contraction are 0; their reads are clamped
     * into range (a few redundant loads at the edges instead of a mask on every access).
     */
    private void loadTile(String tile, ScalarExpr factor, int[] own, long ownCount, int size, boolean alongK,
                          TExpr base, TExpr kBase, TExpr[] batchCoords, TExpr tid, int threads) {
        int elements = size * t.k();
        for (int e0 = 0; e0 < elements; e0 += threads) {
            TExpr e = kb.let("e", KernelBuilder.add(tid, kb.c(e0)));
            List<TStmt> load = kb.nested(() -> {
                TExpr r = kb.let("lr", alongK ? KernelBuilder.div(e, t.k()) : KernelBuilder.rem(e, size));
                TExpr kl = kb.let("lk", alongK ? KernelBuilder.rem(e, t.k()) : KernelBuilder.div(e, size));
                TExpr gr = kb.let("gr", KernelBuilder.add(base, r)), gk = kb.let("gk", KernelBuilder.add(kBase, kl));
                TExpr valid = kb.let("inside", KernelBuilder.and(KernelBuilder.lt(gr, kb.c(ownCount)), KernelBuilder.lt(gk, kb.c(kCount))));
                TExpr[] coords = batchCoords.clone();
                decompose(kb.let("grc", TExpr.binary(BinOp.MIN, gr, kb.c(ownCount - 1))), own, coords);
                decompose(kb.let("gkc", TExpr.binary(BinOp.MIN, gk, kb.c(kCount - 1))), c.k(), coords);
                for (int d = 0; d < coords.length; d++) if (coords[d] == null) coords[d] = kb.c(0); // the other factor's dims
                IndexLowering ix = new IndexLowering(kb, coords, c.dims());
                TExpr v = new BodyLowering(kb, operandTypes(), k -> GenericLowering.read(kb, buffers, node, ix, k), coords, null).lower(factor);
                TExpr at = KernelBuilder.add(KernelBuilder.mul(kl, size), r);
                kb.add(new TStmt.Store(tile, Space.SHARED, at, TExpr.select(valid, BodyLowering.convert(v, TType.F32), TExpr.f32(0)), null));
            });
            if (e0 + threads <= elements) load.forEach(kb::add);
            else kb.add(new TStmt.If(KernelBuilder.lt(e, kb.c(elements)), load, List.of()));
        }
    }

    /** One output: through the epilogue, stored where its row and column are in range. */
    private void store(String out, TExpr value, TExpr rowOffsetFromBase, TExpr colOffsetFromBase, TExpr ty, TExpr tx, TExpr[] batchCoords) {
        TExpr row = kb.let("gr", KernelBuilder.add(rowOffsetFromBase, first(ty, t.threadM())));
        TExpr col = kb.let("gc", KernelBuilder.add(colOffsetFromBase, first(tx, t.threadN())));
        TExpr keep = kb.let("keep", KernelBuilder.and(KernelBuilder.lt(row, kb.c(rowCount)), KernelBuilder.lt(col, kb.c(colCount))));
        TExpr[] coords = batchCoords.clone();
        decompose(kb.let("grc", TExpr.binary(BinOp.MIN, row, kb.c(rowCount - 1))), c.rows(), coords);
        decompose(kb.let("gcc", TExpr.binary(BinOp.MIN, col, kb.c(colCount - 1))), c.cols(), coords);
        for (int d = 0; d < coords.length; d++) if (coords[d] == null) coords[d] = kb.c(0);
        DType dt = resultType();
        if (op.epilogue() != null) {
            IndexLowering ix = new IndexLowering(kb, coords, c.dims());
            TExpr combined = kb.let("acc", BodyLowering.convert(value, Types.compute(GenericLowering.reducedType(node))));
            value = new BodyLowering(kb, operandTypes(), k -> GenericLowering.read(kb, buffers, node, ix, k), coords, combined).lower(op.epilogue());
        }
        int resultRank = node.result().type().rank();
        long[] strides = node.result().type().shape().strides();
        TExpr flat = kb.c(0);
        for (int d = 0; d < resultRank; d++) flat = KernelBuilder.add(flat, KernelBuilder.mul(coords[d], strides[d]));
        kb.add(new TStmt.Store(out, Space.GLOBAL, kb.let("at", flat), BodyLowering.convert(value, Types.storage(dt)), keep));
    }

    /** Coordinates of flat index p over dims ds (row-major: the last fastest) into coords. */
    private void decompose(TExpr p, int[] ds, TExpr[] coords) {
        TExpr rest = p;
        for (int i = ds.length - 1; i >= 0; i--) {
            long extent = c.dims()[ds[i]];
            coords[ds[i]] = i == 0 ? rest : kb.let("c" + ds[i], KernelBuilder.rem(rest, extent));
            if (i > 0) rest = kb.let("q", KernelBuilder.div(rest, extent));
        }
    }

    private DType resultType() { return node.result().type().dtype(); }

    private List<DType> operandTypes() {
        List<DType> types = new ArrayList<>();
        for (Value v : node.operands()) types.add(v.type().dtype());
        return types;
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
