package kc.passes.lower;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.DType;
import kc.ir.graph.IndexBounds;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
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
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.VectorAccess;
import kc.passes.schedule.Window;

/**
 * Lowers one {@link Op.Generic} node (a fusion group: producers inlined into its body, consumers in its epilogue)
 * with its schedule:
 * <ul>
 *   <li>POINTWISE: a thread per output element (or per {@code vector} consecutive ones, read and written with
 *       vector accesses), {@code items} of them a grid apart; the reduction, if any, as nested sequential loops.</li>
 *   <li>WARP and BLOCK: a warp or a block per output element, its lanes striding over the flattened reduction,
 *       combined by shuffles and, for a block, a shared-memory stage across warps.</li>
 *   <li>GRID: two kernels. The first runs {@code splits} blocks per output, each reducing one contiguous slice of the
 *       reduction as BLOCK does and storing its partial state (see {@link Accumulator#parts()}) in scratch buffers;
 *       the second runs a warp per output that merges the partials in a fixed order, then applies the epilogue and
 *       stores. No atomics: a second run is bit-identical.</li>
 * </ul>
 * A compound reduction's statistics (the result's last dim) come from one accumulator: each thread, warp or block
 * computes all of them for its output point and stores them side by side.
 */
final class GenericLowering {
    private final Node node;
    private final Op.Generic op;
    private final Lowering.Buffers buffers;
    private final String dest;
    private final GroupSchedule schedule;
    /** GRID's scratch buffers, one per {@link Accumulator#parts()} entry (empty for other strategies). */
    private final List<String> partials;
    private final long[] dims;
    private final int resultRank;
    /** Output points: result elements, or for a compound reduction result elements per statistic. */
    private final long outputs;
    /** Statistics per output point (1 but for compound reductions). */
    private final int components;
    private final long reduceCount;
    private final TType idx;
    private final boolean doubleWordSums;
    /** The kernel being emitted (GRID emits two, one after the other) and its output buffer's local name. */
    private KernelBuilder kb;
    private String out;

    GenericLowering(Node node, Lowering.Buffers buffers, String dest, GroupSchedule schedule, List<String> partials) {
        this.node = node;
        this.op = (Op.Generic) node.op();
        this.buffers = buffers;
        this.dest = dest;
        this.schedule = schedule;
        this.partials = partials;
        this.doubleWordSums = schedule.accumulation() == Accumulation.DOUBLE;
        Shape rs = node.result().type().shape();
        resultRank = rs.rank();
        int q = op.reduceShape().rank();
        dims = new long[resultRank + q];
        for (int d = 0; d < resultRank; d++) dims[d] = rs.dim(d);
        for (int d = 0; d < q; d++) dims[resultRank + d] = op.reduceShape().dim(d);
        components = op.reduction().components();
        outputs = rs.numel() / components;
        reduceCount = op.reduceShape().numel();
        idx = indexType();
    }

    /**
     * What a GRID schedule (or a TILE one split along its reduction) keeps between its two kernels: per output and
     * split, each part of the partial state.
     */
    static List<Lowering.Scratch> scratch(Node n, GroupSchedule gs) {
        if (!splitsTheReduction(gs)) return List.of();
        List<Lowering.Scratch> out = new ArrayList<>();
        for (Accumulator.Part p : accumulator(n, gs.accumulation() == Accumulation.DOUBLE).parts())
            out.add(new Lowering.Scratch("partial_" + p.name(), Types.dtype(p.type()),
                    n.result().type().shape().numel() / ((Op.Generic) n.op()).reduction().components() * gs.splits()));
        return out;
    }

    /** GRID, and TILE with split K: partial states in scratch, merged by {@link #gridCombine}. */
    static boolean splitsTheReduction(GroupSchedule gs) {
        return gs.strategy() == Strategy.GRID || gs.strategy() == Strategy.TILE && gs.splits() > 1;
    }

    /** i32 when every buffer, coordinate and index sub-expression of the kernel fits comfortably. */
    private TType indexType() {
        // grid-stride items may step one grid past the end; GRID indexes its partials by output and split
        return indexType(node, dims, Math.max(outputs * components, outputs * schedule.splits()) + 1024L * 1024);
    }

    /**
     * The index type of a kernel over node's domain {@code dims}: i32 when every buffer, coordinate and index
     * sub-expression fits comfortably, and so does {@code largest}, the kernel's own largest index.
     */
    static TType indexType(Node node, long[] dims, long largest) {
        Op.Generic op = (Op.Generic) node.op();
        long limit = Integer.MAX_VALUE - 4096L;
        long m = largest;
        for (long d : dims) m = Math.max(m, d);
        m = Math.max(m, node.result().type().shape().numel());
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

    /** The kernels, in launch order, with the plan buffers their parameters stand for. */
    List<Lowering.Emitted> lower(String name) {
        return switch (schedule.strategy()) {
            case POINTWISE -> List.of(pointwise(name));
            case BLOCK -> List.of(cooperative(name, false));
            case WARP -> List.of(cooperative(name, true));
            case GRID -> List.of(gridPartials(name + "_partials"), gridCombine(name + "_combine"));
            case SCAN -> throw new IllegalArgumentException("a generic op cannot be lowered with strategy scan");
            case TILE -> schedule.splits() > 1
                    ? List.of(new ContractionLowering(node, buffers, dest, schedule, partials).lower(name + "_partials"), gridCombine(name + "_combine"))
                    : List.of(new ContractionLowering(node, buffers, dest, schedule, List.of()).lower(name));
            case WINDOW -> List.of(window(name));
        };
    }

    private void begin() {
        kb = new KernelBuilder(idx);
        out = null;
    }

    private Lowering.Emitted emit(String name, Launch launch) { return new Lowering.Emitted(kb.build(name, launch), kb.args()); }

    private void declareOutput() { out = kb.buffer(dest, ScalarType.of(resultType()), outputs * components, BufferParam.Access.WRITE); }

    // ---- POINTWISE ----

    /**
     * A thread per {@code vector} consecutive outputs (an item); with {@code items > 1} each thread takes that many
     * items one grid apart (a grid-stride loop: every pass over the items is a coalesced sweep of the whole grid).
     */
    private Lowering.Emitted pointwise(String name) {
        begin();
        declareOutput();
        int threads = schedule.threads(), width = schedule.vector(), items = schedule.items();
        long work = outputs / width; // legality: the innermost result dim is a multiple of the width
        Launch launch = Lowering.grid(Math.max(1, ceilDiv(work, (long) threads * items)), threads);
        TExpr g = kb.let("g", KernelBuilder.add(KernelBuilder.mul(blockId(launch), threads), kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X))));
        if (items == 1) {
            kb.add(new TStmt.If(KernelBuilder.lt(g, kb.c(work)), kb.nested(() -> pointwiseItem(g, width)), List.of()));
            return emit(name, launch);
        }
        long stride = launch.blocks() * threads;
        Var it = kb.fresh("it", TType.I32);
        List<TStmt> pass = kb.nested(() -> {
            TExpr w = kb.let("w", KernelBuilder.add(g, KernelBuilder.mul(kb.toIdx(TExpr.ref(it)), stride)));
            kb.add(new TStmt.If(KernelBuilder.lt(w, kb.c(work)), kb.nested(() -> pointwiseItem(w, width)), List.of()));
        });
        // a few items unrolled: their loads can be in flight together
        kb.add(new TStmt.For(it, TExpr.i32(0), TExpr.i32(items), 1, pass, items <= 8));
        return emit(name, launch);
    }

    /** The outputs of item w: flat indices w * width + j, j < width, which differ only in the innermost dim. */
    private void pointwiseItem(TExpr w, int width) {
        TExpr o = width == 1 ? w : kb.let("o", KernelBuilder.mul(w, width));
        TExpr[] coords = new TExpr[dims.length];
        decompose(o, coords);
        List<Accumulator> accs = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            Accumulator acc = accumulator();
            acc.declare(kb);
            accs.add(acc);
        }
        reductionLoops(coords, resultRank, accs);
        List<TExpr> values = new ArrayList<>();
        for (Accumulator acc : accs) values.addAll(acc.results(kb));
        store(values, coords, o, null);
    }

    /** Reduction loops of at most this many trips are unrolled whole (a pooling window, a 3x3 kernel). */
    static final int SHORT_LOOP = 16;

    /**
     * Nested loops over reduction dims from d (none for NONE), evaluating and combining the body innermost. Short
     * loops unroll whole; a longer innermost loop takes {@link #REDUCE_UNROLL} terms a trip, loads first, so that
     * a thread has that many loads in flight (the same terms in the same order either way).
     */
    private void reductionLoops(TExpr[] coords, int d, List<Accumulator> accs) {
        if (d == dims.length) {
            foldPoint(new Reads(coords, accs.size()), coords, accs);
            return;
        }
        Var i = kb.fresh("r" + (d - resultRank), TType.I32);
        if (d == dims.length - 1 && dims[d] > SHORT_LOOP && dims[d] % REDUCE_UNROLL == 0) {
            BitSet used = VectorAccess.reads(op.body());
            List<TStmt> loop = kb.nested(() -> {
                List<Reads> reads = new ArrayList<>();
                List<TExpr[]> points = new ArrayList<>();
                for (int j = 0; j < REDUCE_UNROLL; j++) {
                    TExpr[] c = coords.clone();
                    c[d] = kb.toIdx(j == 0 ? TExpr.ref(i) : kb.let("r" + j, KernelBuilder.add(TExpr.ref(i), TExpr.i32(j))));
                    Reads rd = new Reads(c, accs.size());
                    for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) rd.lane(k, 0);
                    reads.add(rd);
                    points.add(c);
                }
                for (int j = 0; j < REDUCE_UNROLL; j++) foldPoint(reads.get(j), points.get(j), accs);
            });
            kb.add(new TStmt.For(i, TExpr.i32(0), TExpr.i32(dims[d]), REDUCE_UNROLL, loop, false));
            return;
        }
        List<TStmt> loop = kb.nested(() -> {
            coords[d] = kb.toIdx(TExpr.ref(i));
            reductionLoops(coords, d + 1, accs);
        });
        kb.add(new TStmt.For(i, TExpr.i32(0), TExpr.i32(dims[d]), 1, loop, dims[d] <= SHORT_LOOP));
    }

    /** Folds the body at one domain point (every vector lane's) into the accumulators. */
    private void foldPoint(Reads reads, TExpr[] coords, List<Accumulator> accs) {
        TExpr at = accs.get(0).isArg() ? flatReduceIndex(coords) : null;
        for (int j = 0; j < accs.size(); j++) accs.get(j).combine(kb, body(reads, j, accs.get(j).splitsProducts()), at);
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

    // ---- WINDOW ----

    /** WINDOW's staged operands while a tile's outputs are computed: operand -> its footprint in shared memory. */
    private final Map<Integer, Footprint> staged = new HashMap<>();
    /** The current output's tile-local coordinates by domain dim (null for dims that do not vary over the tile). */
    private TExpr[] tileLocal;

    /** A staged operand's shared array and its element offset there as a function of tile-local coordinates. */
    private record Footprint(String array, IndexExpr offset) {}

    /**
     * A block per tile of outputs (see {@link Window}): its threads copy each staged operand's footprint into shared
     * memory (the map's pad value where an index falls outside the operand), wait at a barrier, then each computes
     * its {@code items} outputs of the tile as POINTWISE would, reading the staged operands from shared memory. The
     * same terms in the same order: the results are POINTWISE's.
     */
    private Lowering.Emitted window(String name) {
        begin();
        declareOutput();
        Window w = Window.of(node);
        int threads = schedule.threads(), items = schedule.items();
        int rows = w.rows(threads, items), cols = w.cols(threads, items);
        long[] span = w.span(threads, items);
        int inner = resultRank - 1, second = w.rowsWindowed() ? resultRank - 2 : -1;
        long colTiles = ceilDiv(dims[inner], cols), rowTiles = second < 0 ? 1 : ceilDiv(dims[second], rows);
        long blocks = Window.tilesOf(dims, span, resultRank);
        Launch launch = Lowering.grid(blocks, threads);
        // the tile's origin: its first output's coordinates, reduction dims at 0
        TExpr b = kb.let("b", blockId(launch));
        TExpr[] origin = new TExpr[dims.length];
        TExpr rest = b;
        origin[inner] = kb.let("c" + inner, KernelBuilder.mul(KernelBuilder.rem(rest, colTiles), cols));
        rest = kb.let("q", KernelBuilder.div(rest, colTiles));
        if (second >= 0) {
            origin[second] = kb.let("c" + second, KernelBuilder.mul(KernelBuilder.rem(rest, rowTiles), rows));
            rest = kb.let("q", KernelBuilder.div(rest, rowTiles));
        }
        List<Integer> outer = new ArrayList<>();
        for (int d = 0; d < inner; d++) if (d != second) outer.add(d);
        for (int i = outer.size() - 1; i >= 0; i--) {
            int d = outer.get(i);
            origin[d] = i == 0 ? rest : kb.let("c" + d, KernelBuilder.rem(rest, dims[d]));
            if (i > 0) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
        }
        for (int d = resultRank; d < dims.length; d++) origin[d] = kb.c(0);
        TExpr tid = kb.toIdx(new TExpr.Special(TExpr.Reg.THREAD_X));
        for (Window.Staged st : w.staged()) stage(st, span, origin, tid, threads);
        kb.add(new TStmt.Barrier());
        long[] resultStrides = node.result().type().shape().strides();
        // partials that are one value each (not an arg-reduction's pair or a double-word sum's)
        Window.Separable separable = items <= 16 && accumulator().parts().size() == 1 ? w.separable(op, span) : null;
        if (separable != null) {
            twoPasses(separable, span, origin, tid, items, resultStrides);
            staged.clear();
            return emit(name, launch);
        }
        Var it = kb.fresh("it", TType.I32);
        List<TStmt> item = kb.nested(() -> {
            TExpr l = kb.let("l", KernelBuilder.add(tid, KernelBuilder.mul(kb.toIdx(TExpr.ref(it)), threads)));
            tileLocal = new TExpr[dims.length];
            tileLocal[inner] = rows == 1 ? l : kb.let("lc", KernelBuilder.rem(l, cols));
            if (second >= 0) tileLocal[second] = kb.let("lr", KernelBuilder.div(l, cols));
            tileOutput(origin, tileLocal, resultStrides, (coords, acc) -> reductionLoops(coords, resultRank, List.of(acc)));
        });
        kb.add(new TStmt.For(it, TExpr.i32(0), TExpr.i32(items), 1, item, items <= 8));
        tileLocal = null;
        staged.clear();
        return emit(name, launch);
    }

    /**
     * A separable window's outputs (see {@link Window.Separable}): this thread's column (tile-local column tid) of
     * each staged row reduced over the column terms into a register, then each of its {@code items} outputs (rows
     * 0, 1, ... of the tile) merging the row partials its window covers. Every index into the footprint and the
     * partials is a constant but the column.
     */
    private void twoPasses(Window.Separable sep, long[] span, TExpr[] origin, TExpr tid, int items, long[] resultStrides) {
        Window.Staged st = sep.operand();
        long[][] coef = st.coefficients();
        long[] extents = Window.extents(st, span), reach = Window.reach(st, span);
        long[] strides = Window.strides(extents);
        int inner = resultRank - 1, second = resultRank - 2, column = sep.column();
        String array = staged.get(st.operand()).array();
        DType dt = node.operands().get(st.operand()).type().dtype();
        // the partials, one per combination of the other operand dims' footprint indices (row-major)
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < extents.length; i++) if (i != column) rows.add(i);
        long count = 1;
        for (int i : rows) count *= extents[i];
        TExpr columnBase = kb.let("col", KernelBuilder.add(KernelBuilder.mul(tid, coef[column][inner]), kb.c(-reach[column])));
        List<TExpr> partials = new ArrayList<>();
        for (long p = 0; p < count; p++) {
            long rest = p, rowOffset = 0;
            for (int r = rows.size() - 1; r >= 0; r--) {
                int i = rows.get(r);
                rowOffset += rest % extents[i] * strides[i];
                rest /= extents[i];
            }
            Accumulator acc = accumulator();
            acc.declare(kb);
            for (long[] terms : combinations(sep.columnTerms())) {
                long columnConst = 0;
                for (int t = 0; t < terms.length; t++) columnConst += coef[column][sep.columnTerms()[t]] * terms[t];
                TExpr at = kb.let("sat", KernelBuilder.add(KernelBuilder.mul(KernelBuilder.add(columnBase, kb.c(columnConst)), strides[column]), kb.c(rowOffset)));
                TExpr x = kb.let("x", BodyLowering.convert(new TExpr.Load(array, Space.SHARED, at, null, 0, Types.storage(dt)), Types.compute(dt)));
                acc.combine(kb, new BodyLowering(kb, operandTypes(), k -> x, origin, null).lower(op.body()), null);
            }
            partials.add(kb.let("h", acc.state().get(0)));
        }
        for (int it = 0; it < items; it++) {
            TExpr[] local = new TExpr[dims.length];
            local[inner] = tid;
            local[second] = kb.c(it);
            int row = it;
            tileOutput(origin, local, resultStrides, (coords, acc) -> {
                for (long[] terms : combinations(sep.rowTerms())) {
                    long p = 0;
                    for (int i : rows) {
                        long at = coef[i][second] * row - reach[i];
                        for (int t = 0; t < terms.length; t++) at += coef[i][sep.rowTerms()[t]] * terms[t];
                        p = p * extents[i] + at;
                    }
                    acc.merge(kb, List.of(partials.get((int) p)));
                }
            });
        }
    }

    /**
     * One output of a WINDOW tile, at origin plus the tile-local coordinates {@code local} (non-null on the tile's
     * dims): where it lies inside the result, a fresh accumulator that {@code reduce} fills, stored.
     */
    private void tileOutput(TExpr[] origin, TExpr[] local, long[] resultStrides, java.util.function.BiConsumer<TExpr[], Accumulator> reduce) {
        TExpr[] coords = origin.clone();
        TExpr keep = null;
        for (int d = resultRank - 1; d >= 0; d--) {
            if (local[d] == null) continue;
            coords[d] = kb.let("c" + d, KernelBuilder.add(origin[d], local[d]));
            keep = KernelBuilder.and(keep, KernelBuilder.lt(coords[d], kb.c(dims[d])));
        }
        TExpr flat = kb.c(0);
        for (int d = 0; d < resultRank; d++) flat = KernelBuilder.add(flat, KernelBuilder.mul(coords[d], resultStrides[d]));
        TExpr at = kb.let("at", flat);
        kb.add(new TStmt.If(keep, kb.nested(() -> {
            Accumulator acc = accumulator();
            acc.declare(kb);
            reduce.accept(coords, acc);
            store(acc.results(kb), coords, at, null);
        }), List.of()));
    }

    /** Every combination of the given reduction dims' indices, the last fastest. */
    private List<long[]> combinations(int[] terms) {
        List<long[]> all = new ArrayList<>();
        long[] c = new long[terms.length];
        while (true) {
            all.add(c.clone());
            int t = terms.length - 1;
            while (t >= 0 && ++c[t] == dims[terms[t]]) c[t--] = 0;
            if (t < 0) return all;
        }
    }

    /**
     * Copies staged operand st's footprint over the tile at origin into a shared array, row-major over the operand's
     * dims (so consecutive threads read consecutive addresses along its innermost dim).
     */
    private void stage(Window.Staged st, long[] span, TExpr[] origin, TExpr tid, int threads) {
        int k = st.operand();
        Value v = node.operands().get(k);
        DType dt = v.type().dtype();
        long[] extents = Window.extents(st, span), reach = Window.reach(st, span);
        long elements = Window.elements(st, span);
        String array = "window" + k;
        kb.shared(new SharedArray(array, ScalarType.of(dt), Math.toIntExact(elements)));
        String buf = kb.buffer(buffers.nameOf(v), ScalarType.of(dt), v.type().shape().numel(), BufferParam.Access.READ);
        IndexLowering ix = new IndexLowering(kb, origin, dims);
        IndexMap map = op.maps().get(k);
        TExpr[] low = new TExpr[extents.length];
        for (int i = 0; i < extents.length; i++)
            low[i] = kb.let("lo", KernelBuilder.add(ix.index(map.exprs().get(i), new TExpr[1]), kb.c(reach[i])));
        // the offset of a point's element in the array, over tile-local coordinates
        IndexExpr offset = IndexExpr.constant(0);
        long[] footprintStrides = Window.strides(extents);
        for (int i = extents.length - 1; i >= 0; i--) {
            IndexExpr local = IndexExpr.constant(-reach[i]);
            for (int d = 0; d < dims.length; d++)
                if (span[d] > 1 && st.coefficients()[i][d] != 0) local = IndexExpr.add(local, IndexExpr.mul(IndexExpr.dim(d), st.coefficients()[i][d]));
            offset = IndexExpr.add(offset, IndexExpr.mul(local, footprintStrides[i]));
        }
        staged.put(k, new Footprint(array, offset));
        long[] strides = v.type().shape().strides();
        double pad = map.pad() == null ? 0 : map.pad();
        int spanned = 0;
        while (spanned < extents.length - 1 && extents[spanned] == 1) spanned++;
        int outermost = spanned; // the first operand dim the footprint spans more than one index of
        long[] tiledBox = new long[dims.length];
        for (int d = 0; d < dims.length; d++) tiledBox[d] = Math.max(1, ceilDiv(dims[d], span[d]) * span[d]);
        // STAGE_UNROLL slots a trip, loads first: that many loads in flight per thread rather than one
        int unroll = (int) Math.min(STAGE_UNROLL, ceilDiv(elements, threads));
        Var f = kb.fresh("f", TType.I32);
        List<TStmt> copy = kb.nested(() -> {
            List<TExpr> slots = new ArrayList<>(), values = new ArrayList<>(), inside = new ArrayList<>();
            for (int j = 0; j < unroll; j++) {
                TExpr slot = kb.let("slot", KernelBuilder.add(kb.toIdx(TExpr.ref(f)), kb.c((long) j * threads))), restF = slot;
                TExpr in = j == 0 ? null : kb.let("in", KernelBuilder.lt(slot, kb.c(elements)));
                TExpr at = kb.c(0), valid = in;
                for (int i = extents.length - 1; i >= 0; i--) {
                    TExpr g = low[i];
                    if (extents[i] > 1) {
                        TExpr local = i == outermost ? restF : KernelBuilder.rem(restF, extents[i]);
                        if (i > outermost) restF = kb.let("q", KernelBuilder.div(restF, extents[i]));
                        g = kb.let("g", KernelBuilder.add(low[i], local));
                    }
                    // bounds over the tiles (the last ones reach past the result) and every window
                    IndexBounds.Interval iv = IndexBounds.of(map.exprs().get(i), tiledBox);
                    if (iv.lo() < 0) valid = KernelBuilder.and(valid, TExpr.binary(BinOp.GE, g, kb.c(0)));
                    if (iv.hi() >= v.type().shape().dim(i)) valid = KernelBuilder.and(valid, KernelBuilder.lt(g, kb.c(v.type().shape().dim(i))));
                    at = KernelBuilder.add(at, KernelBuilder.mul(g, strides[i]));
                }
                slots.add(slot);
                inside.add(in);
                values.add(kb.let("x", new TExpr.Load(buf, Space.GLOBAL, kb.let("off", at), valid == null ? null : kb.let("valid", valid), pad, Types.storage(dt))));
            }
            for (int j = 0; j < unroll; j++) kb.add(new TStmt.Store(array, Space.SHARED, slots.get(j), values.get(j), inside.get(j)));
        });
        kb.add(new TStmt.For(f, TExpr.cast(tid, TType.I32), TExpr.i32(elements), threads * unroll, copy, false));
    }

    /** Footprint elements a thread copies per trip of WINDOW's staging loop (all loads issued before the stores). */
    static final int STAGE_UNROLL = 4;

    /** Staged operand k at the current point of a WINDOW tile, read from shared memory. */
    private TExpr stagedRead(int k, TExpr[] coords) {
        Footprint fp = staged.get(k);
        TExpr[] local = new TExpr[dims.length];
        for (int d = 0; d < dims.length; d++) local[d] = tileLocal[d] != null ? tileLocal[d] : d >= resultRank ? coords[d] : kb.c(0);
        TExpr at = new IndexLowering(kb, local, dims).index(fp.offset(), new TExpr[1]);
        DType dt = node.operands().get(k).type().dtype();
        return BodyLowering.convert(new TExpr.Load(fp.array(), Space.SHARED, kb.let("sat", at), null, 0, Types.storage(dt)), Types.compute(dt));
    }

    // ---- BLOCK and WARP ----

    /**
     * BLOCK: a block per output element, its threads striding over the flattened reduction, combined by warp
     * reductions and a shared-memory stage across warps. WARP: a warp per output element (a block holds
     * threads / 32 of them), its lanes striding over the reduction, combined by shuffles alone.
     */
    private Lowering.Emitted cooperative(String name, boolean perWarp) {
        begin();
        declareOutput();
        int threads = schedule.threads();
        int lanes = perWarp ? 32 : threads;
        int perBlock = perWarp ? threads / 32 : 1;
        requireI32Loop(lanes * REDUCE_UNROLL);
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
        TExpr lane = perWarp ? new TExpr.Special(TExpr.Reg.LANE) : new TExpr.Special(TExpr.Reg.THREAD_X);
        reduceStrided(acc, coords, null, lane, TExpr.i32(reduceCount), lanes);
        acc.blockCombine(kb, lanes);
        TExpr first = TExpr.binary(BinOp.EQ, lane, TExpr.i32(0));
        store(acc.results(kb), coords, bid, KernelBuilder.and(first, KernelBuilder.lt(bid, kb.c(outputs))));
        return emit(name, launch);
    }

    /**
     * Terms a thread of a strided reduction loads per trip: the loop is unrolled this far and issues every load of
     * a trip before its first fold, so that many loads are in flight per thread (one load at a time leaves a
     * memory-bound reduction waiting on latency at about half the bandwidth).
     */
    static final int REDUCE_UNROLL = 4;

    /**
     * {@code lanes} threads from {@code lane} striding over flat reduction indices from {@code base} (null: 0) to
     * {@code end}, folding the body at each into acc. With the schedule's {@code vector} W > 1 each lane takes W
     * consecutive terms at a time (one vector load per operand along the innermost reduction dim; legality checked
     * that they line up): {@code for (r = base + lane * W; r < end; r += lanes * W)}. {@link #REDUCE_UNROLL} such
     * steps a trip, loads first (the same terms in the same order: results do not change). Steps past the end load
     * the last one instead and are not folded.
     */
    private void reduceStrided(Accumulator acc, TExpr[] coords, TExpr base, TExpr lane, TExpr end, int lanes) {
        int width = schedule.vector(), step = lanes * width;
        TExpr first = width == 1 ? lane : KernelBuilder.mul(lane, width);
        TExpr start = base == null ? first : KernelBuilder.add(base, first);
        Var r = kb.fresh("r", TType.I32);
        BitSet used = VectorAccess.reads(op.body());
        TExpr last = kb.let("last", TExpr.binary(BinOp.SUB, end, TExpr.i32(width)));
        List<TStmt> loop = kb.nested(() -> {
            List<Reads> reads = new ArrayList<>();
            List<TExpr> within = new ArrayList<>(), ats = new ArrayList<>();
            for (int j = 0; j < REDUCE_UNROLL; j++) {
                TExpr rj = j == 0 ? TExpr.ref(r) : kb.let("r" + j, KernelBuilder.add(TExpr.ref(r), TExpr.i32((long) j * step)));
                within.add(j == 0 ? null : kb.let("in" + j, KernelBuilder.lt(rj, end)));
                ats.add(acc.isArg() ? TExpr.cast(rj, TType.I64) : null);
                TExpr rest = kb.toIdx(j == 0 ? rj : kb.let("rc", TExpr.binary(BinOp.MIN, rj, last)));
                TExpr[] inner = coords.clone();
                for (int d = dims.length - 1; d >= resultRank; d--) {
                    inner[d] = kb.let("c" + d, d == resultRank ? rest : KernelBuilder.rem(rest, dims[d]));
                    if (d > resultRank) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
                }
                Reads rd = new Reads(inner, width, dims.length - 1);
                for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) rd.lane(k, 0);
                reads.add(rd);
            }
            for (int j = 0; j < REDUCE_UNROLL; j++) {
                int jj = j;
                Runnable fold = () -> {
                    for (int l = 0; l < width; l++) acc.combine(kb, body(reads.get(jj), l, acc.splitsProducts()), ats.get(jj));
                };
                if (j == 0) fold.run();
                else kb.add(new TStmt.If(within.get(j), kb.nested(fold), List.of()));
            }
        });
        kb.add(new TStmt.For(r, start, end, step * REDUCE_UNROLL, loop, false));
    }

    private void requireI32Loop(int step) {
        if (reduceCount > Integer.MAX_VALUE - step)
            throw new IllegalArgumentException("a reduction of " + reduceCount + " elements is too long for an i32 loop");
    }

    // ---- GRID ----

    /**
     * Kernel 1: block b reduces slice {@code s = b % splits} (a contiguous run of {@code ceil(R / splits)} flat
     * reduction indices) of output {@code b / splits}, and its thread 0 stores the block's partial state at b.
     */
    private Lowering.Emitted gridPartials(String name) {
        begin();
        int threads = schedule.threads(), splits = schedule.splits();
        long chunk = gridChunk(reduceCount, splits, schedule.vector());
        requireI32Loop(threads * REDUCE_UNROLL + (int) Math.min(chunk, Integer.MAX_VALUE / 2));
        List<String> parts = new ArrayList<>();
        Accumulator acc = accumulator();
        for (int i = 0; i < partials.size(); i++)
            parts.add(kb.buffer(partials.get(i), acc.parts().get(i).type().elem(), outputs * splits, BufferParam.Access.WRITE));
        long blocks = outputs * splits;
        Launch launch = Lowering.grid(blocks, threads);
        TExpr b = kb.let("b", blockId(launch));
        // blocks past the end of a 2-D grid reduce the last slice again and store nothing
        TExpr bc = kb.let("bc", TExpr.binary(BinOp.MIN, b, kb.c(blocks - 1)));
        TExpr o = kb.let("o", KernelBuilder.div(bc, splits));
        TExpr s = kb.let("s", TExpr.cast(KernelBuilder.rem(bc, splits), TType.I32));
        TExpr[] coords = new TExpr[dims.length];
        decompose(o, coords);
        acc.declare(kb);
        TExpr lo = kb.let("lo", KernelBuilder.mul(s, chunk));
        TExpr hi = kb.let("hi", TExpr.binary(BinOp.MIN, KernelBuilder.add(lo, TExpr.i32(chunk)), TExpr.i32(reduceCount)));
        TExpr tid = new TExpr.Special(TExpr.Reg.THREAD_X);
        reduceStrided(acc, coords, lo, tid, hi, threads);
        acc.blockCombine(kb, threads);
        TExpr mask = kb.let("keep", KernelBuilder.and(TExpr.binary(BinOp.EQ, tid, TExpr.i32(0)), KernelBuilder.lt(b, kb.c(blocks))));
        List<TExpr> state = acc.state();
        for (int i = 0; i < parts.size(); i++) kb.add(new TStmt.Store(parts.get(i), Space.GLOBAL, bc, state.get(i), mask));
        return emit(name, launch);
    }

    /** GRID's slice of the reduction per block: a whole number of vectors (legality: no slice is left empty). */
    static long gridChunk(long reduceCount, int splits, int width) { return ceilDiv(ceilDiv(reduceCount, splits), width) * width; }

    /**
     * Kernel 2 (of GRID, and of TILE split along its reduction): a warp per output; lane l merges partials l, l + 32,
     * ... in order, the butterfly merges the lanes, and lane 0 applies the epilogue and stores. The order is fixed,
     * so the result is too.
     */
    private Lowering.Emitted gridCombine(String name) {
        begin();
        declareOutput();
        int splits = schedule.splits();
        int warps = (int) Math.max(1, Math.min(schedule.threads() / 32, outputs));
        Accumulator acc = accumulator();
        List<Accumulator.Part> parts = acc.parts();
        List<String> locals = new ArrayList<>();
        for (int i = 0; i < partials.size(); i++)
            locals.add(kb.buffer(partials.get(i), parts.get(i).type().elem(), outputs * splits, BufferParam.Access.READ));
        Launch launch = Lowering.grid(ceilDiv(outputs, warps), 32 * warps);
        TExpr wo = kb.let("o", KernelBuilder.add(KernelBuilder.mul(blockId(launch), warps),
                kb.toIdx(TExpr.binary(BinOp.DIV, new TExpr.Special(TExpr.Reg.THREAD_X), TExpr.i32(32)))));
        TExpr o = kb.let("oc", TExpr.binary(BinOp.MIN, wo, kb.c(outputs - 1)));
        TExpr[] coords = new TExpr[dims.length];
        decompose(o, coords);
        acc.declare(kb);
        TExpr base = kb.let("base", KernelBuilder.mul(o, splits));
        TExpr lane = new TExpr.Special(TExpr.Reg.LANE);
        Var s = kb.fresh("s", TType.I32);
        List<TStmt> loop = kb.nested(() -> {
            TExpr at = kb.let("p", KernelBuilder.add(base, kb.toIdx(TExpr.ref(s))));
            List<TExpr> other = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++)
                other.add(kb.let("part_" + parts.get(i).name(), new TExpr.Load(locals.get(i), Space.GLOBAL, at, null, 0, parts.get(i).type())));
            acc.merge(kb, other);
        });
        kb.add(new TStmt.For(s, lane, TExpr.i32(splits), 32, loop, false));
        acc.blockCombine(kb, 32);
        TExpr first = TExpr.binary(BinOp.EQ, lane, TExpr.i32(0));
        store(acc.results(kb), coords, wo, KernelBuilder.and(first, KernelBuilder.lt(wo, kb.c(outputs))));
        return emit(name, launch);
    }

    // ---- as a part of a row kernel (see RowLowering) ----

    /** Operands whose values the kernel already holds (a row kernel's statistics), by operand index. */
    private final Map<Integer, TExpr> given = new HashMap<>();

    TType kernelIndexType() { return idx; }

    /**
     * This reduction's statistics at output point {@code point}, reduced into {@code kb} by {@code lanes} threads from
     * {@code lane} (every one of them must execute this), after the epilogue and rounded as a store would round
     * them: one value per statistic, which every lane holds.
     */
    List<TExpr> rowStatistics(KernelBuilder kb, TExpr point, TExpr lane, int lanes) {
        this.kb = kb;
        requireI32Loop(lanes * REDUCE_UNROLL);
        TExpr[] coords = new TExpr[dims.length];
        decompose(point, coords);
        Accumulator acc = accumulator();
        acc.declare(kb);
        reduceStrided(acc, coords, null, lane, TExpr.i32(reduceCount), lanes);
        acc.blockCombine(kb, lanes);
        List<TExpr> values = acc.results(kb), out = new ArrayList<>();
        Reads reads = op.epilogue() == null ? null : new Reads(coords, 1);
        DType dt = resultType();
        for (int j = 0; j < values.size(); j++) {
            TExpr v = values.get(j);
            if (op.epilogue() != null) {
                TExpr combined = kb.let("acc", BodyLowering.convert(v, Types.compute(reducedType())));
                v = new BodyLowering(kb, operandTypes(), k -> reads.lane(k, 0), reads.coords(j), combined).lower(op.epilogue());
            }
            out.add(kb.let("stat" + j, BodyLowering.convert(BodyLowering.convert(v, Types.storage(dt)), Types.compute(dt))));
        }
        return out;
    }

    /**
     * This elementwise op over one row, into {@code kb}: lanes {@code lane}, {@code lane + lanes}, ... take the row's
     * elements (the domain dims other than {@code rowDims}, row-major), the row dims at {@code rowCoords}, operands
     * in {@code givenOperands} by their values; stores where {@code keep}. Where the row's innermost dim is the
     * result's and every access allows it, each lane takes 4 (or 2) consecutive elements with vector loads and
     * stores: a memory-bound row's second pass then issues a quarter of the memory instructions.
     */
    void rowElements(KernelBuilder kb, int[] rowDims, TExpr[] rowCoords, Map<Integer, TExpr> givenOperands, TExpr lane, int lanes, TExpr keep) {
        this.kb = kb;
        given.putAll(givenOperands);
        declareOutput();
        List<Integer> inner = new ArrayList<>();
        long innerCount = 1;
        for (int d = 0; d < resultRank; d++) {
            boolean isRow = false;
            for (int r : rowDims) isRow |= r == d;
            if (!isRow) { inner.add(d); innerCount *= dims[d]; }
        }
        int width = rowVectorWidth(inner);
        requireI32Loop(lanes * width);
        if (innerCount > Integer.MAX_VALUE - (long) lanes * width) throw new IllegalArgumentException("a row of " + innerCount + " elements is too long for an i32 loop");
        long[] strides = node.result().type().shape().strides();
        Var e = kb.fresh("e", TType.I32);
        List<TStmt> loop = kb.nested(() -> {
            TExpr[] coords = new TExpr[dims.length];
            for (int i = 0; i < rowDims.length; i++) if (rowDims[i] >= 0) coords[rowDims[i]] = rowCoords[i];
            TExpr rest = kb.toIdx(TExpr.ref(e));
            for (int i = inner.size() - 1; i >= 0; i--) {
                int d = inner.get(i);
                coords[d] = i == 0 ? rest : kb.let("c" + d, KernelBuilder.rem(rest, dims[d]));
                if (i > 0) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
            }
            TExpr flat = kb.c(0);
            for (int d = 0; d < resultRank; d++) flat = KernelBuilder.add(flat, KernelBuilder.mul(coords[d], strides[d]));
            TExpr at = kb.let("at", flat);
            Reads reads = new Reads(coords, width);
            List<TExpr> values = new ArrayList<>();
            for (int j = 0; j < width; j++) values.add(BodyLowering.convert(body(reads, j, false), Types.storage(resultType())));
            kb.add(new TStmt.Store(out, Space.GLOBAL, at, TExpr.pack(values), keep));
        });
        TExpr first = width == 1 ? lane : KernelBuilder.mul(kb.toIdx(lane), width);
        kb.add(new TStmt.For(e, TExpr.cast(first, TType.I32), TExpr.i32(innerCount), lanes * width, loop, false));
    }

    /** Elements a lane of a row kernel's second pass takes at once: 4 or 2 where the row's innermost dim allows it, else 1. */
    private int rowVectorWidth(List<Integer> inner) {
        if (inner.isEmpty() || inner.get(inner.size() - 1) != resultRank - 1) return 1;
        for (int width : new int[] {4, 2})
            if (dims[resultRank - 1] % width == 0 && VectorAccess.problem(node, width) == null) return width;
        return 1;
    }

    /** The linear block index of a possibly 2-D grid, in the index type. */
    static TExpr blockIndex(KernelBuilder kb, Launch launch) {
        TExpr x = kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_X));
        if (launch.gridY() == 1) return x;
        return KernelBuilder.add(KernelBuilder.mul(kb.toIdx(new TExpr.Special(TExpr.Reg.BLOCK_Y)), launch.gridX()), x);
    }

    // ---- shared pieces ----

    private TExpr blockId(Launch launch) { return blockIndex(kb, launch); }

    /**
     * Result coordinates of flat output point o (row-major). A compound reduction's points leave out the last result
     * dim, the statistic's index, which is 0 here: the body does not read it and the store steps it.
     */
    private void decompose(TExpr o, TExpr[] coords) {
        TExpr rest = o;
        int pointRank = resultRank;
        if (components > 1) coords[--pointRank] = kb.c(0);
        for (int d = pointRank - 1; d >= 0; d--) {
            coords[d] = d == 0 ? rest : kb.let("c" + d, KernelBuilder.rem(rest, dims[d]));
            if (d > 0) rest = kb.let("q", KernelBuilder.div(rest, dims[d]));
        }
        if (pointRank > 0 && !(coords[0] instanceof TExpr.Ref || coords[0] instanceof TExpr.Const)) coords[0] = kb.let("c0", coords[0]);
    }

    private DType resultType() { return node.result().type().dtype(); }

    /** The type the reduction combines in: the result's, or with an epilogue the type its combined value has. */
    static DType reducedType(Node n) {
        Op.Generic g = (Op.Generic) n.op();
        return g.epilogue() == null ? n.result().type().dtype() : kc.ir.graph.ScalarTypes.reducedType(g.epilogue());
    }

    private DType reducedType() { return reducedType(node); }

    private static Accumulator accumulator(Node n, boolean doubleWordSums) {
        Op.Generic g = (Op.Generic) n.op();
        return new Accumulator(g.reduction(), reducedType(n), BodyLowering.typeOf(g.body(), operandTypes(n)), doubleWordSums);
    }

    private Accumulator accumulator() { return accumulator(node, doubleWordSums); }

    private static List<DType> operandTypes(Node n) {
        List<DType> types = new ArrayList<>();
        for (Value v : n.operands()) types.add(v.type().dtype());
        return types;
    }

    private List<DType> operandTypes() { return operandTypes(node); }

    /**
     * The operand reads of one domain point for {@code width} lanes along the innermost result dim (width 1: the
     * point itself). Each operand is loaded once, on first use: a VECTOR operand as one vector load whose lanes the
     * lanes take, a BROADCAST one as a scalar every lane shares (see {@link VectorAccess}).
     */
    private final class Reads {
        private final TExpr[] coords;
        private final int width;
        /** The domain dim the lanes step along: the innermost result dim, or a reduction's innermost dim. */
        private final int laneDim;
        private final IndexLowering ix;
        private final Map<Integer, TExpr> loaded = new HashMap<>();

        Reads(TExpr[] coords, int width) { this(coords, width, resultRank - 1); }

        Reads(TExpr[] coords, int width, int laneDim) {
            this.coords = coords;
            this.width = width;
            this.laneDim = laneDim;
            this.ix = new IndexLowering(kb, coords, dims);
        }

        /** Operand k at lane j, in its compute type. */
        TExpr lane(int k, int j) {
            TExpr x = loaded.get(k);
            if (x == null) {
                x = load(k);
                loaded.put(k, x);
            }
            if (!x.type().isVector()) return x;
            DType dt = node.operands().get(k).type().dtype();
            return BodyLowering.convert(new TExpr.Lane(x, j, Types.storage(dt)), Types.compute(dt));
        }

        private TExpr load(int k) {
            if (given.containsKey(k)) return given.get(k);
            if (staged.containsKey(k)) return kb.let("x" + k, stagedRead(k, coords));
            if (width == 1 || VectorAccess.kind(node, k, width, laneDim) == VectorAccess.Kind.BROADCAST) return kb.let("x" + k, read(ix, k));
            Value v = node.operands().get(k);
            String buf = kb.buffer(buffers.nameOf(v), ScalarType.of(v.type().dtype()), v.type().shape().numel(), BufferParam.Access.READ);
            TExpr offset = kb.let("off", ix.access(op.maps().get(k), v.type().shape()).offset());
            return kb.let("xv" + k, new TExpr.Load(buf, Space.GLOBAL, offset, null, 0, new TType(ScalarType.of(v.type().dtype()), width)));
        }

        /** The coordinates lane j sees (the body's index reads): the lane dim's coordinate plus j. */
        TExpr[] coords(int j) {
            if (j == 0) return coords;
            TExpr[] c = coords.clone();
            c[laneDim] = KernelBuilder.add(coords[laneDim], kb.c(j));
            return c;
        }
    }

    /** The body's value at lane j of a point; unbound (its top operation in sight) when the accumulator asks. */
    private TExpr body(Reads reads, int j, boolean unbound) {
        BodyLowering bl = new BodyLowering(kb, operandTypes(), k -> reads.lane(k, j), reads.coords(j), null);
        return unbound ? bl.expression(op.body()) : bl.lower(op.body());
    }

    private TExpr read(IndexLowering ix, int k) { return read(kb, buffers, node, ix, k); }

    /** Operand k of node at the point ix stands for, in its compute type (the map's pad value where out of range). */
    static TExpr read(KernelBuilder kb, Lowering.Buffers buffers, Node node, IndexLowering ix, int k) {
        Op.Generic op = (Op.Generic) node.op();
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
     * Stores the combined values of consecutive outputs from flat index {@code index} (coordinates {@code coords}
     * of the first), one vector store when there are several, each through the epilogue when the op has one: its
     * reads use result dims only, so they are made at the output point. A compound reduction's statistics are such
     * consecutive outputs, and {@code index} is their output point's.
     */
    private void store(List<TExpr> values, TExpr[] coords, TExpr index, TExpr mask) {
        if (components > 1) index = KernelBuilder.mul(index, components);
        DType dt = resultType();
        Reads reads = op.epilogue() == null ? null : new Reads(coords, values.size());
        List<TExpr> lanes = new ArrayList<>();
        for (int j = 0; j < values.size(); j++) {
            TExpr value = values.get(j);
            if (op.epilogue() != null) {
                int lane = j;
                TExpr combined = kb.let("acc", BodyLowering.convert(value, Types.compute(reducedType())));
                value = new BodyLowering(kb, operandTypes(), k -> reads.lane(k, lane), reads.coords(j), combined).lower(op.epilogue());
            }
            lanes.add(BodyLowering.convert(value, Types.storage(dt)));
        }
        kb.add(new TStmt.Store(out, Space.GLOBAL, index, TExpr.pack(lanes), mask));
    }

    static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
