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
import kc.passes.schedule.MatrixUnit;
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
 * <p>Where both factors are plain fp32 reads (no prologue to evaluate), the tiles travel by asynchronous copies
 * instead (cp.async) through a ring of {@link #stages} shared buffers: the copies of the next stages - 1 steps are in
 * flight while a step multiplies, with one barrier a step and no registers holding them.
 *
 * <p>Split K ({@code split S}): the reduction runs in S contiguous chunks of whole steps, a block per tile and chunk
 * (the chunk outermost, so that blocks running together share operand panels); each stores its partial state (the
 * total, and its rounding errors under double-word sums) in scratch, and a second kernel merges a tile's S partials
 * exactly, in order, then applies the epilogue (GenericLowering's grid combine).
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
    /** Buffers of the asynchronous ring, or 0 for the register-prefetch path. */
    private final int stages;
    /** The first term of the ring buffer this step reads (0 without a ring). */
    private TExpr termBase;
    /** Chunks of the reduction (split K), the terms of each (a whole number of steps), and the scratch buffers of their partials. */
    private final int splits;
    private final long chunk;
    private final List<String> partials;
    /** This block's terms: [kStart, kEnd) (the whole reduction unless split). */
    private TExpr kStart, kEnd;

    ContractionLowering(Node node, Lowering.Buffers buffers, String dest, GroupSchedule schedule, List<String> partials) {
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
        this.run = switch (t.unit()) {
            case SIMT -> Tiles.compensationRun(t.k(), kCount);
            case TF32X3 -> Tiles.tensorCoreRun(t.k(), kCount);
            case TF32, BF16 -> t.k(); // one compensated add a step where a schedule asks for double-word totals
        };
        this.splits = schedule.splits();
        this.chunk = splitChunk(kCount, splits, t.k());
        this.partials = partials;
        long tiles = batchCount * ceilDiv(rowCount, t.m()) * ceilDiv(colCount, t.n());
        long partialIndex = splits > 1 ? node.result().type().shape().numel() * splits : 0;
        this.kb = new KernelBuilder(GenericLowering.indexType(node, c.dims(), Math.max(tiles * splits, partialIndex) + (long) t.m() * t.n()));
        this.stages = t.ring(c.plainFactors(node));
    }

    /** The terms of each chunk when {@code kCount} terms in steps of {@code step} are split {@code splits} ways. */
    static long splitChunk(long kCount, int splits, int step) { return ceilDiv(ceilDiv(kCount, splits), step) * step; }

    Lowering.Emitted lower(String name) {
        int threads = t.threads();
        long rowTiles = ceilDiv(rowCount, t.m()), colTiles = ceilDiv(colCount, t.n());
        long tiles = batchCount * rowTiles * colTiles, blocks = tiles * splits;
        Launch launch = Lowering.grid(blocks, threads);
        long outputs = node.result().type().shape().numel();
        String out = splits > 1 ? null : kb.buffer(dest, ScalarType.of(resultType()), outputs, BufferParam.Access.WRITE);
        List<String> parts = new ArrayList<>();
        for (String p : partials) parts.add(kb.buffer(p, ScalarType.F32, outputs * splits, BufferParam.Access.WRITE));
        int ring = Math.max(1, stages);
        kb.shared(new SharedArray("rows_tile", ScalarType.F32, ring * t.k() * t.rowStride()));
        kb.shared(new SharedArray("cols_tile", ScalarType.F32, ring * t.k() * t.colStride()));
        termBase = kb.c(0);
        List<TStmt> body = kb.nested(() -> {
            TExpr b = kb.let("b", GenericLowering.blockIndex(kb, launch));
            TExpr split = null;
            kStart = kb.c(0);
            kEnd = kb.c(kCount);
            if (splits > 1) { // the chunk outermost: blocks running together take the same terms of neighbouring tiles
                split = kb.let("sk", KernelBuilder.div(b, tiles));
                b = kb.let("bt", KernelBuilder.rem(b, tiles));
                kStart = kb.let("k_lo", KernelBuilder.mul(split, chunk));
                kEnd = kb.let("k_hi", TExpr.binary(BinOp.MIN, KernelBuilder.add(kStart, kb.c(chunk)), kb.c(kCount)));
            }
            TExpr p = kb.let("p", KernelBuilder.rem(b, rowTiles * colTiles)); // the tile within its batch point
            TExpr batchPoint = kb.let("bp", KernelBuilder.div(b, rowTiles * colTiles));
            TExpr rowTile, colTile;
            int band = t.swizzle();
            if (band > 1) { // bands of `band` tile rows, down each column of a band in turn
                TExpr first = kb.let("fr", KernelBuilder.mul(KernelBuilder.div(p, band * colTiles), band));
                TExpr rows = kb.let("nr", TExpr.binary(BinOp.MIN, TExpr.binary(BinOp.SUB, kb.c(rowTiles), first), kb.c(band))); // the last band's may be fewer
                TExpr within = kb.let("w", KernelBuilder.rem(p, band * colTiles));
                rowTile = kb.let("tr", KernelBuilder.add(first, TExpr.binary(BinOp.REM, within, rows)));
                colTile = kb.let("tc", TExpr.binary(BinOp.DIV, within, rows));
            } else {
                colTile = kb.let("tc", KernelBuilder.rem(p, colTiles));
                rowTile = kb.let("tr", KernelBuilder.div(p, colTiles));
            }
            TExpr rowBase = kb.let("row0", KernelBuilder.mul(rowTile, t.m()));
            TExpr colBase = kb.let("col0", KernelBuilder.mul(colTile, t.n()));
            TExpr tid = kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X));
            TExpr[] batchCoords = new TExpr[c.dims().length];
            decompose(batchPoint, c.batch(), batchCoords);
            // each thread's outputs: where they are (row and column from the tile's corner) and their accumulators
            List<TExpr[]> at = new ArrayList<>();
            Runnable step = t.unit().tensorCores() ? tensorCores(tid, at) : simt(tid, at);
            TileLoad rowTileLoad = new TileLoad("rows_tile", c.rowFactor(), c.rows(), rowCount, t.m(), t.rowStride(), c.rowsAlongK(), rowBase, batchCoords, tid, threads);
            TileLoad colTileLoad = new TileLoad("cols_tile", c.colFactor(), c.cols(), colCount, t.n(), t.colStride(), c.colsAlongK(), colBase, batchCoords, tid, threads);
            if (stages > 0) ringSteps(rowTileLoad, colTileLoad, step);
            else prefetchedSteps(rowTileLoad, colTileLoad, step);
            for (int o = 0; o < at.size(); o++) {
                TExpr rowAt = KernelBuilder.add(rowBase, at.get(o)[0]), colAt = KernelBuilder.add(colBase, at.get(o)[1]);
                if (splits > 1) {
                    storePartial(parts, o, split, rowAt, colAt, batchCoords);
                    continue;
                }
                TExpr value = doubleWord ? Combine.doubleWordValue(kb, total.get(o), error.get(o)) : TExpr.ref(total.get(o));
                store(out, value, rowAt, colAt, batchCoords);
            }
        });
        if (launch.blocks() == blocks) body.forEach(kb::add);
        else kb.add(new TStmt.If(KernelBuilder.lt(GenericLowering.blockIndex(kb, launch), kb.c(blocks)), body, List.of())); // a 2-D grid's extra blocks
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }

    /**
     * The reduction through the ring of {@link #stages} buffers: steps 0 .. stages - 2 in flight before the loop;
     * each step waits for its own copies, lets every thread's land (the barrier, after which no thread still reads
     * the buffer this step refills), sends the copies of the step stages - 1 ahead, then multiplies.
     */
    private void ringSteps(TileLoad rowTileLoad, TileLoad colTileLoad, Runnable step) {
        for (int s = 0; s < stages - 1; s++) {
            int slot = s;
            if (splits > 1) { // a chunk's first steps: as many as it has
                TExpr first = kb.let("kf", KernelBuilder.add(kStart, kb.c((long) s * t.k())));
                kb.add(new TStmt.If(KernelBuilder.lt(first, kEnd), kb.nested(() -> {
                    rowTileLoad.copy(first, kb.c(slot));
                    colTileLoad.copy(first, kb.c(slot));
                }), List.of()));
            } else if ((long) s * t.k() < kCount) {
                rowTileLoad.copy(kb.c((long) s * t.k()), kb.c(s));
                colTileLoad.copy(kb.c((long) s * t.k()), kb.c(s));
            }
            kb.add(new TStmt.AsyncCommit()); // empty groups too: the wait below counts groups
        }
        Var k0 = kb.fresh("k0", TType.I32);
        List<TStmt> steps = kb.nested(() -> {
            kb.add(new TStmt.AsyncWait(stages - 2));
            kb.add(new TStmt.Barrier());
            TExpr fromStart = splits > 1 ? TExpr.binary(BinOp.SUB, kb.toIdx(TExpr.ref(k0)), kStart) : kb.toIdx(TExpr.ref(k0));
            TExpr kt = kb.let("kt", KernelBuilder.div(fromStart, t.k())); // steps since the chunk's first
            TExpr ahead = kb.let("kn", KernelBuilder.add(kb.toIdx(TExpr.ref(k0)), kb.c((long) (stages - 1) * t.k())));
            kb.add(new TStmt.If(KernelBuilder.lt(ahead, kEnd), kb.nested(() -> {
                TExpr into = kb.let("sn", KernelBuilder.rem(KernelBuilder.add(kt, kb.c(stages - 1)), stages));
                rowTileLoad.copy(ahead, into);
                colTileLoad.copy(ahead, into);
            }), List.of()));
            kb.add(new TStmt.AsyncCommit());
            termBase = kb.let("ks", KernelBuilder.mul(KernelBuilder.rem(kt, stages), t.k()));
            step.run();
        });
        kb.add(new TStmt.For(k0, loopStart(), loopEnd(), t.k(), steps, false));
    }

    /** The step loop's bounds (i32, as the loop counts): the chunk's under split K, else the whole reduction. */
    private TExpr loopStart() { return splits > 1 ? TExpr.cast(kStart, TType.I32) : TExpr.i32(0); }
    private TExpr loopEnd() { return splits > 1 ? TExpr.cast(kEnd, TType.I32) : TExpr.i32(kCount); }

    /** The reduction through one buffer, each step's loads held in registers while the step before multiplies. */
    private void prefetchedSteps(TileLoad rowTileLoad, TileLoad colTileLoad, Runnable step) {
        rowTileLoad.fetch(kStart);
        colTileLoad.fetch(kStart);
        Var k0 = kb.fresh("k0", TType.I32);
        List<TStmt> steps = kb.nested(() -> {
            rowTileLoad.stash();
            colTileLoad.stash();
            kb.add(new TStmt.Barrier());
            // the next step's loads (past the end: clamped and zeroed, never stored) fly while this one multiplies
            TExpr next = kb.let("kn", KernelBuilder.add(kb.toIdx(TExpr.ref(k0)), kb.c(t.k())));
            rowTileLoad.fetch(next);
            colTileLoad.fetch(next);
            step.run();
            kb.add(new TStmt.Barrier());
        });
        kb.add(new TStmt.For(k0, loopStart(), loopEnd(), t.k(), steps, false));
    }

    /** Each output's running total, its rounding errors (double-word) and the run being summed, in {@link #lower}'s order. */
    private final List<Var> total = new ArrayList<>(), error = new ArrayList<>(), part = new ArrayList<>();

    private void declareOutput() {
        total.add(kb.declare("acc", TExpr.f32(0)));
        if (doubleWord) {
            error.add(kb.declare("err", TExpr.f32(0)));
            part.add(kb.declare("part", TExpr.f32(0)));
        }
    }

    /**
     * Adds each output's run to its double-word total (the next run's first product overwrites the run's sum), by
     * Fast2Sum: the total soon outgrows a run, where Fast2Sum is exact (see {@link Combine#fastTwoSum}).
     */
    private void compensate() {
        for (int o = 0; o < total.size(); o++) Combine.fastTwoSum(kb, total.get(o), error.get(o), TExpr.ref(part.get(o)));
    }

    /** SIMT: declares each thread's threadM x threadN outputs (into at) and returns the emitter of one step. */
    private Runnable simt(TExpr tid, List<TExpr[]> at) {
        int colThreads = t.n() / t.threadN(), tm = t.threadM(), tn = t.threadN();
        TExpr tx = kb.let("tx", KernelBuilder.rem(tid, colThreads));
        TExpr ty = kb.let("ty", KernelBuilder.div(tid, colThreads));
        TExpr rowFirst = kb.let("ra", first(ty, tm)), colFirst = kb.let("ca", first(tx, tn));
        for (int i = 0; i < tm; i++)
            for (int j = 0; j < tn; j++) {
                declareOutput();
                at.add(new TExpr[] {KernelBuilder.add(rowFirst, kb.c(local(i, tm, t.m()))), KernelBuilder.add(colFirst, kb.c(local(j, tn, t.n())))});
            }
        return () -> multiplyTiles(rowFirst, colFirst);
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
     * One reduction step on the cores: for each of the k terms, the thread's rows and columns from shared memory,
     * then threadM x threadN fused multiply-adds: into the totals, or under double-word totals into plain runs that
     * join the totals by TwoSum every {@link #run} terms.
     */
    private void multiplyTiles(TExpr rowFirst, TExpr colFirst) {
        int tm = t.threadM(), tn = t.threadN();
        List<Var> into = doubleWord ? part : total;
        Var kr = kb.fresh("kr", TType.I32);
        List<TStmt> runOfTerms = kb.nested(() -> {
            for (int kk = 0; kk < (doubleWord ? run : t.k()); kk++) { // unrolled here: a run's first product starts its sum
                TExpr kx = kb.let("kx", KernelBuilder.add(KernelBuilder.add(termBase, kb.toIdx(TExpr.ref(kr))), kb.c(kk)));
                List<TExpr> a = fragment("rows_tile", kx, rowFirst, tm, t.m());
                List<TExpr> b = fragment("cols_tile", kx, colFirst, tn, t.n());
                boolean starts = doubleWord && kk == 0;
                for (int i = 0; i < tm; i++)
                    for (int j = 0; j < tn; j++) {
                        Var v = into.get(i * tn + j);
                        kb.assign(v, starts ? TExpr.binary(BinOp.MUL, a.get(i), b.get(j)) : TExpr.fma(a.get(i), b.get(j), TExpr.ref(v)));
                    }
            }
            if (doubleWord) compensate();
        });
        kb.add(new TStmt.For(kr, TExpr.i32(0), TExpr.i32(t.k()), doubleWord ? run : t.k(), runOfTerms, true));
    }

    /**
     * Tensor cores: warp w takes the warpM x warpN tile at (w / warps across) x warpM, (w % warps across) x warpN,
     * as (warpM / 16) x (warpN / 8) m16n8 instruction tiles; lane l holds four outputs of each (PTX's accumulator
     * layout: rows l / 4 and l / 4 + 8, columns 2 (l % 4) and 2 (l % 4) + 1). Declares them (into at) and returns the
     * emitter of one step.
     */
    private Runnable tensorCores(TExpr tid, List<TExpr[]> at) {
        int across = t.n() / t.warpN(), tilesM = t.warpM() / 16, tilesN = t.warpN() / 8;
        TExpr warp = kb.let("w", KernelBuilder.div(tid, 32));
        TExpr lane = kb.let("l", kb.toIdx(new TExpr.Special(TExpr.Reg.LANE)));
        TExpr g = kb.let("g", KernelBuilder.div(lane, 4)), tg = kb.let("tg", KernelBuilder.rem(lane, 4));
        TExpr rowW = kb.let("rw", KernelBuilder.mul(KernelBuilder.div(warp, across), t.warpM()));
        TExpr colW = kb.let("cw", KernelBuilder.mul(KernelBuilder.rem(warp, across), t.warpN()));
        TExpr accRow = kb.let("ar", KernelBuilder.add(rowW, g)), accCol = kb.let("ac", KernelBuilder.add(colW, KernelBuilder.mul(tg, 2)));
        for (int mi = 0; mi < tilesM; mi++)
            for (int ni = 0; ni < tilesN; ni++)
                for (int j = 0; j < 4; j++) {
                    declareOutput();
                    at.add(new TExpr[] {KernelBuilder.add(accRow, kb.c(mi * 16L + (j / 2) * 8L)), KernelBuilder.add(accCol, kb.c(ni * 8L + j % 2))});
                }
        TExpr fragRow = accRow, fragCol = kb.let("fc", KernelBuilder.add(colW, g)); // A's rows start where C's do
        MatrixUnit unit = t.unit();
        return () -> {
            int runLength = doubleWord ? run : t.k();
            Var kr = kb.fresh("kr", TType.I32);
            List<TStmt> runOfTerms = kb.nested(() -> {
                for (int kk = 0; kk < runLength; kk += unit.termsPerInstruction) { // unrolled here: a run's first products start its sum
                    boolean starts = doubleWord && kk == 0;
                    TExpr k0 = kb.let("k8", KernelBuilder.add(KernelBuilder.add(termBase, kb.toIdx(TExpr.ref(kr))), kb.c(kk)));
                    List<List<TExpr[]>> a = new ArrayList<>(), b = new ArrayList<>();
                    for (int mi = 0; mi < tilesM; mi++) a.add(fragmentA(k0, tg, KernelBuilder.add(fragRow, kb.c(mi * 16L))));
                    for (int ni = 0; ni < tilesN; ni++) b.add(fragmentB(k0, tg, KernelBuilder.add(fragCol, kb.c(ni * 8L))));
                    List<Var> into = doubleWord ? part : total;
                    for (int mi = 0; mi < tilesM; mi++)
                        for (int ni = 0; ni < tilesN; ni++) {
                            List<Var> d = into.subList((mi * tilesN + ni) * 4, (mi * tilesN + ni) * 4 + 4);
                            if (unit == MatrixUnit.TF32X3) { // the small products first, so that the large one rounds the sum once
                                mma(d, a.get(mi), 1, b.get(ni), 0, starts);
                                mma(d, a.get(mi), 0, b.get(ni), 1, false);
                            }
                            mma(d, a.get(mi), 0, b.get(ni), 0, starts && unit != MatrixUnit.TF32X3);
                        }
                }
                if (doubleWord) compensate();
            });
            kb.add(new TStmt.For(kr, TExpr.i32(0), TExpr.i32(t.k()), runLength, runOfTerms, true));
        };
    }

    /**
     * One lane's A fragment (16 rows from {@code row}) of the instruction's terms from k0, each register as its parts
     * (see {@link #operand}). m16n8k8: a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4); m16n8k16: the same
     * with terms 2t, 2t + 1 (and 2t + 8, 2t + 9) two to a register.
     */
    private List<TExpr[]> fragmentA(TExpr k0, TExpr tg, TExpr row) {
        List<TExpr[]> frag = new ArrayList<>();
        for (int j = 0; j < 4; j++) frag.add(operand("rows_tile", k0, tg, j / 2, t.rowStride(), KernelBuilder.add(row, kb.c((j % 2) * 8L))));
        return frag;
    }

    /** One lane's B fragment (8 columns from {@code col}): b0 (t, g), b1 (t + 4, g); m16n8k16 two terms to a register. */
    private List<TExpr[]> fragmentB(TExpr k0, TExpr tg, TExpr col) {
        List<TExpr[]> frag = new ArrayList<>();
        for (int j = 0; j < 2; j++) frag.add(operand("cols_tile", k0, tg, j, t.colStride(), col));
        return frag;
    }

    /**
     * The register of half {@code half} (terms 0-3 or 4-7 of an 8-term instruction; pairs 0-7 or 8-15 of a 16-term
     * one) for lane group tg at {@code position}: under 3xtf32 its tf32 high part and the rest, under tf32 the value
     * (the instruction rounds it), under bf16 the two terms rounded and packed.
     */
    private TExpr[] operand(String tile, TExpr k0, TExpr tg, int half, int stride, TExpr position) {
        if (t.unit() == MatrixUnit.BF16) {
            TExpr term = kb.let("kp", KernelBuilder.add(k0, KernelBuilder.add(KernelBuilder.mul(tg, 2), kb.c(half * 8L))));
            TExpr first = sharedAt(tile, term, stride, position), second = sharedAt(tile, KernelBuilder.add(term, kb.c(1)), stride, position);
            return new TExpr[] {kb.let("bf", TExpr.binary(BinOp.PACK_BF16X2, first, second))};
        }
        TExpr value = sharedAt(tile, KernelBuilder.add(k0, KernelBuilder.add(tg, kb.c(half * 4L))), stride, position);
        return t.unit() == MatrixUnit.TF32X3 ? split(value) : new TExpr[] {value};
    }

    /** d (+)= a[part] * b[part] on the tensor cores, part 0 the tf32 high halves, 1 the low ones; from zero where it starts a sum. */
    private void mma(List<Var> d, List<TExpr[]> a, int aPart, List<TExpr[]> b, int bPart, boolean fromZero) {
        TStmt.MmaShape shape = t.unit() == MatrixUnit.BF16 ? TStmt.MmaShape.M16N8K16_BF16 : TStmt.MmaShape.M16N8K8_TF32;
        kb.add(new TStmt.Mma(shape, d, a.stream().map(x -> x[aPart]).toList(), b.stream().map(x -> x[bPart]).toList(),
                d.stream().map(v -> fromZero ? TExpr.f32(0) : TExpr.ref(v)).toList()));
    }

    /** Element (term, position) of a k-major staged tile. */
    private TExpr sharedAt(String tile, TExpr term, int stride, TExpr position) {
        return kb.let("s", new TExpr.Load(tile, Space.SHARED, KernelBuilder.add(KernelBuilder.mul(term, stride), position), null, 0, TType.F32));
    }

    /**
     * x as its tf32 high part and the tf32 rounding of the rest. The rest is finite wherever x is; where x is a NaN
     * or an infinity the high part carries it into the products, so the rest's rounding need not keep it.
     */
    private TExpr[] split(TExpr x) {
        TExpr hi = kb.let("hi", TExpr.unary(TExpr.UnOp.ROUND_TF32, x));
        return new TExpr[] {hi, kb.let("lo", TExpr.unary(TExpr.UnOp.ROUND_TF32_FINITE, TExpr.binary(BinOp.SUB, x, hi)))};
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
     * How the block's threads load one factor's tile of {@code size} x k into shared memory (k-major, {@code stride}
     * apart): element e of the tile is thread e % threads's; consecutive threads take consecutive terms when the
     * operand is contiguous along the reduction, else consecutive rows. Terms outside the contraction are 0; their
     * reads are clamped into range (a few redundant loads at the edges instead of a mask on every access). A step's
     * values are fetched into registers one step ahead ({@link #fetch}) and stored after the barrier
     * ({@link #stash}), so the next step's global loads are in flight while this step multiplies.
     */
    private final class TileLoad {
        private final String tile;
        private final ScalarExpr factor;
        private final int[] own;
        private final long ownCount;
        private final int size;
        private final boolean alongK;
        private final TExpr base;
        private final TExpr[] batchCoords;
        /** Per element slot of this thread: the register, its tile row and term, and whether the slot exists (null: always). */
        private final List<Var> values = new ArrayList<>();
        private final List<TExpr> rows = new ArrayList<>(), terms = new ArrayList<>(), present = new ArrayList<>();
        private final int stride;

        TileLoad(String tile, ScalarExpr factor, int[] own, long ownCount, int size, int stride, boolean alongK, TExpr base,
                 TExpr[] batchCoords, TExpr tid, int threads) {
            this.tile = tile; this.factor = factor; this.own = own; this.ownCount = ownCount; this.size = size;
            this.stride = stride; this.alongK = alongK; this.base = base; this.batchCoords = batchCoords;
            int elements = size * t.k();
            for (int e0 = 0; e0 < elements; e0 += threads) {
                TExpr e = kb.let("e", KernelBuilder.add(tid, kb.c(e0)));
                rows.add(kb.let("lr", alongK ? KernelBuilder.div(e, t.k()) : KernelBuilder.rem(e, size)));
                terms.add(kb.let("lk", alongK ? KernelBuilder.rem(e, t.k()) : KernelBuilder.div(e, size)));
                present.add(e0 + threads <= elements ? null : kb.let("slot", KernelBuilder.lt(e, kb.c(elements))));
                if (stages == 0) values.add(kb.declare("pre", TExpr.f32(0))); // the ring needs no registers
            }
        }

        /**
         * Slot {@code slot}'s element of the step starting at term kBase: its coordinates into coords (clamped into
         * range; the other factor's dims 0) and whether it lies inside the contraction.
         */
        private TExpr element(int slot, TExpr kBase, TExpr[] coords) { return element(slot, kBase, coords, false); }

        /**
         * The same, for a step that exists ({@code stepInRange}: the ring copies only those): where every tile is
         * whole (the rows divide by the tile) and every step too (the terms divide by the step), the element is
         * inside by construction, and null (always) comes back with no clamp and no compare.
         */
        private TExpr element(int slot, TExpr kBase, TExpr[] coords, boolean stepInRange) {
            boolean rowsIn = ownCount % size == 0, termsIn = stepInRange && kCount % t.k() == 0;
            TExpr gr = kb.let("gr", KernelBuilder.add(base, rows.get(slot))), gk = kb.let("gk", KernelBuilder.add(kBase, terms.get(slot)));
            decompose(rowsIn ? gr : kb.let("grc", TExpr.binary(BinOp.MIN, gr, kb.c(ownCount - 1))), own, coords);
            decompose(termsIn ? gk : kb.let("gkc", TExpr.binary(BinOp.MIN, gk, kb.c(kCount - 1))), c.k(), coords);
            for (int d = 0; d < coords.length; d++) if (coords[d] == null) coords[d] = kb.c(0); // the other factor's dims
            TExpr rowInside = rowsIn ? null : KernelBuilder.lt(gr, kb.c(ownCount));
            TExpr termInside = termsIn ? null : KernelBuilder.lt(gk, kEnd); // a chunk's last step stops at its end
            return rowInside == null ? termInside : termInside == null ? rowInside : KernelBuilder.and(rowInside, termInside);
        }

        /** Reads the step starting at term kBase into the registers. */
        void fetch(TExpr kBase) {
            for (int i = 0; i < values.size(); i++) {
                int slot = i;
                List<TStmt> load = kb.nested(() -> {
                    TExpr[] coords = batchCoords.clone();
                    TExpr inside = element(slot, kBase, coords);
                    TExpr valid = inside == null ? null : kb.let("inside", inside);
                    IndexLowering ix = new IndexLowering(kb, coords, c.dims());
                    TExpr v = new BodyLowering(kb, operandTypes(), k -> GenericLowering.read(kb, buffers, node, ix, k), coords, null).lower(factor);
                    TExpr value = BodyLowering.convert(v, TType.F32);
                    kb.assign(values.get(slot), valid == null ? value : TExpr.select(valid, value, TExpr.f32(0)));
                });
                guarded(slot, load);
            }
        }

        /**
         * Sends asynchronous copies of the step starting at term kBase into ring buffer {@code stage}: terms past
         * an edge, and elements the factor's map pads, are zero-filled with nothing read.
         */
        void copy(TExpr kBase, TExpr stage) {
            int operand = ((ScalarExpr.Read) factor).operand();
            Value v = node.operands().get(operand);
            String buf = kb.buffer(buffers.nameOf(v), ScalarType.F32, v.type().shape().numel(), BufferParam.Access.READ);
            TExpr stageAt = kb.let("sb", KernelBuilder.mul(stage, (long) t.k() * stride));
            for (int i = 0; i < rows.size(); i++) {
                int slot = i;
                List<TStmt> send = kb.nested(() -> {
                    TExpr[] coords = batchCoords.clone();
                    TExpr valid = element(slot, kBase, coords, true); // the ring copies only steps that exist
                    IndexLowering.Access a = new IndexLowering(kb, coords, c.dims()).access(op.maps().get(operand), v.type().shape());
                    TExpr offset = kb.let("off", a.offset());
                    if (a.valid() != null) { // a padded element: no read, and an address that stays in range anyway
                        TExpr inMap = kb.let("valid", a.valid());
                        valid = valid == null ? inMap : KernelBuilder.and(valid, inMap);
                        offset = kb.let("off", TExpr.select(inMap, offset, new TExpr.Const(0, offset.type())));
                    }
                    TExpr at = KernelBuilder.add(stageAt, KernelBuilder.add(KernelBuilder.mul(terms.get(slot), stride), rows.get(slot)));
                    kb.add(new TStmt.CopyAsync(tile, at, buf, offset, valid == null ? null : kb.let("inside", valid)));
                });
                guarded(slot, send);
            }
        }

        /** Stores the registers into the shared tile. */
        void stash() {
            for (int i = 0; i < values.size(); i++) {
                int slot = i;
                List<TStmt> store = kb.nested(() -> kb.add(new TStmt.Store(tile, Space.SHARED,
                        KernelBuilder.add(KernelBuilder.mul(terms.get(slot), stride), rows.get(slot)), TExpr.ref(values.get(slot)), null)));
                guarded(slot, store);
            }
        }

        private void guarded(int slot, List<TStmt> body) {
            if (present.get(slot) == null) body.forEach(kb::add);
            else kb.add(new TStmt.If(present.get(slot), body, List.of()));
        }
    }

    /**
     * Split K: output {@code o}'s partial state for chunk {@code split} (its total, and its rounding errors under
     * double-word sums), at the output's flat index times the splits plus the chunk, where the combine reads it.
     */
    private void storePartial(List<String> parts, int o, TExpr split, TExpr rowAt, TExpr colAt, TExpr[] batchCoords) {
        OutputAt p = outputAt(rowAt, colAt, batchCoords);
        TExpr at = kb.let("pa", KernelBuilder.add(KernelBuilder.mul(flatIndex(p.coords()), splits), split));
        kb.add(new TStmt.Store(parts.get(0), Space.GLOBAL, at, TExpr.ref(total.get(o)), p.keep()));
        if (doubleWord) kb.add(new TStmt.Store(parts.get(1), Space.GLOBAL, at, TExpr.ref(error.get(o)), p.keep()));
    }

    /** An output's domain coordinates (clamped into range) and whether it is inside the result (keep). */
    private record OutputAt(TExpr keep, TExpr[] coords) {}

    /** The output at row and col of the contraction, in the batch point batchCoords. */
    private OutputAt outputAt(TExpr rowAt, TExpr colAt, TExpr[] batchCoords) {
        TExpr row = kb.let("gr", rowAt), col = kb.let("gc", colAt);
        TExpr keep = kb.let("keep", KernelBuilder.and(KernelBuilder.lt(row, kb.c(rowCount)), KernelBuilder.lt(col, kb.c(colCount))));
        TExpr[] coords = batchCoords.clone();
        decompose(kb.let("grc", TExpr.binary(BinOp.MIN, row, kb.c(rowCount - 1))), c.rows(), coords);
        decompose(kb.let("gcc", TExpr.binary(BinOp.MIN, col, kb.c(colCount - 1))), c.cols(), coords);
        for (int d = 0; d < coords.length; d++) if (coords[d] == null) coords[d] = kb.c(0);
        return new OutputAt(keep, coords);
    }

    /** The result's row-major flat index of the output at these domain coordinates. */
    private TExpr flatIndex(TExpr[] coords) {
        long[] strides = node.result().type().shape().strides();
        TExpr flat = kb.c(0);
        for (int d = 0; d < strides.length; d++) flat = KernelBuilder.add(flat, KernelBuilder.mul(coords[d], strides[d]));
        return flat;
    }

    /** One output, at row and col of the contraction: through the epilogue, stored where both are in range. */
    private void store(String out, TExpr value, TExpr rowAt, TExpr colAt, TExpr[] batchCoords) {
        OutputAt p = outputAt(rowAt, colAt, batchCoords);
        TExpr keep = p.keep();
        TExpr[] coords = p.coords();
        DType dt = resultType();
        if (op.epilogue() != null) {
            IndexLowering ix = new IndexLowering(kb, coords, c.dims());
            TExpr combined = kb.let("acc", BodyLowering.convert(value, Types.compute(GenericLowering.reducedType(node))));
            value = new BodyLowering(kb, operandTypes(), k -> GenericLowering.read(kb, buffers, node, ix, k), coords, combined).lower(op.epilogue());
        }
        kb.add(new TStmt.Store(out, Space.GLOBAL, kb.let("at", flatIndex(coords)), BodyLowering.convert(value, Types.storage(dt)), keep));
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
