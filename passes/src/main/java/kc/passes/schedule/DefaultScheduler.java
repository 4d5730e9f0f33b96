package kc.passes.schedule;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.passes.cost.MachineModel;

/**
 * The built-in heuristics: a {@link GroupSchedule} for every fusion group of a (fused) graph, for a machine. Float
 * sums accumulate double-word; scans run SCAN. Generics are chosen by the shape of their work:
 * <ul>
 *   <li>No reduction, or rows shorter than a warp: POINTWISE, with 16-byte vector accesses where the index maps
 *       allow them (these groups are memory-bound: wide accesses halve or quarter the memory instructions) and, for
 *       grids of many waves, several items per thread.</li>
 *   <li>Few outputs with long reductions (a loss, a full sum, a norm's statistics): GRID, so every SM takes part.</li>
 *   <li>Rows read contiguously: WARP up to {@link #WARP_ROW_MAX} terms, BLOCK beyond.</li>
 *   <li>Reductions whose lanes would read scattered addresses (a matmul's weight column, a convolution window):
 *       as before WARP existed: BLOCK for long reductions to at most {@link #FEW_OUTPUTS} outputs, else POINTWISE,
 *       where neighbouring threads read neighbouring outputs' data.</li>
 * </ul>
 */
public final class DefaultScheduler {
    private DefaultScheduler() {}

    public static final int POINTWISE_THREADS = 256;
    public static final int REDUCE_THREADS = 256;
    /**
     * Threads an SM keeps resident (2048 on every NVIDIA part since Volta; an Apple core holds about as many). A
     * wave is the blocks the whole GPU runs at once: multiprocessors x this / threads per block.
     */
    public static final int RESIDENT_THREADS_PER_SM = 2048;
    /** Rows shorter than a warp run a thread per output: a warp per output would leave most of its lanes idle. */
    public static final long SHORT_ROW = 32;
    /** Rows up to this long run a warp per output (at most 32 terms per lane); longer rows a block per output. */
    public static final long WARP_ROW_MAX = 1024;
    /** Scattered reductions at least this long may use a block per output... */
    public static final long LONG_REDUCTION = 256;
    /** ... when there are at most this many outputs (otherwise one thread per output already fills the GPU). */
    public static final long FEW_OUTPUTS = 1L << 15;
    /**
     * GRID gives each block at least this many terms (16 per thread of a 256-thread block), so that a block's fixed
     * cost (the combine across its warps, storing its partial) stays small beside its loads.
     */
    public static final long MIN_SLICE = 4096;
    /** GRID aims at two waves of blocks: enough for every SM, with a second wave to hide the first's stragglers. */
    public static final int GRID_WAVES = 2;
    /** Grids of more waves than this give each thread several items, so the grid stays this many waves deep... */
    public static final int ITEM_WAVES = 8;
    /** ... up to this many items per thread. */
    public static final int MAX_DEFAULT_ITEMS = 8;
    /**
     * Registers a thread may spend on vector loads: every lane's body reads them, so all of a point's vectors stay
     * live until the last lane. A stack of 256 tensors read as float4s took 255 registers and spilled (32 with
     * scalar loads); a handful of operands at vector 4 stays far below this.
     */
    public static final int VECTOR_REGISTERS = 32;
    /** Scans of contiguous lines at least this long run a block per line (each thread a chunk of 4 or more). */
    public static final long BLOCK_SCAN_LENGTH = 1024;

    public static Schedule schedule(Graph g) { return schedule(g, MachineModel.SM_90); }

    public static Schedule schedule(Graph g, MachineModel machine) { return complete(g, Schedule.EMPTY, machine); }

    public static Schedule complete(Graph g, Schedule partial) { return complete(g, partial, MachineModel.SM_90); }

    /**
     * The given groups as they are (their member lists filled in from the graph where they left them out), and the
     * defaults for every group they do not name. Groups naming nothing in the graph are left for legality to report.
     */
    public static Schedule complete(Graph g, Schedule partial, MachineModel machine) {
        Precision precision = partial.precisionOrDefault();
        GroupNames names = GroupNames.of(g);
        Map<String, GroupSchedule> given = partial.byName();
        List<GroupSchedule> groups = new ArrayList<>();
        Map<Kind, GroupSchedule> byKind = new HashMap<>(); // unnamed defaults (an unrolled RNN: 10k groups, few kinds)
        for (Node n : names.groupNodes()) {
            String name = names.group(n);
            GroupSchedule s = given.remove(name);
            if (s == null) s = byKind.computeIfAbsent(new Kind(n), k -> defaults("", List.of(), n, machine, precision))
                    .withName(name).withMembers(names.members(n));
            else if (s.members().isEmpty()) s = s.withMembers(names.members(n));
            groups.add(s);
        }
        groups.addAll(given.values()); // unknown names: legality says which
        return new Schedule(precision, groups);
    }

    /**
     * What the heuristics read of a node: its op and the types it reads and writes, never names or which values;
     * nodes of one kind get the same defaults but for the group's name and members.
     */
    private record Kind(Op op, TensorType result, List<TensorType> operands) {
        Kind(Node n) { this(n.op(), n.result().type(), n.operands().stream().map(Value::type).toList()); }

        // Spelled out, cheap parts first: the generated record methods are slow under the C1 JIT kc runs with.
        @Override public boolean equals(Object o) {
            return o instanceof Kind k && result.equals(k.result) && operands.equals(k.operands) && op.equals(k.op);
        }
        @Override public int hashCode() { return (op.hashCode() * 31 + result.hashCode()) * 31 + operands.hashCode(); }
    }

    public static GroupSchedule defaults(String name, List<String> members, Node n) { return defaults(name, members, n, MachineModel.SM_90); }

    /** The heuristic schedule of one group on the machine. */
    public static GroupSchedule defaults(String name, List<String> members, Node n, MachineModel machine) {
        return defaults(name, members, n, machine, Precision.DEFAULT);
    }

    /** The heuristic schedule of one group on the machine, within the precision. */
    public static GroupSchedule defaults(String name, List<String> members, Node n, MachineModel machine, Precision precision) {
        // double-word sums only where plain fp32 could miss 1e-4 (each term then costs a TwoSum: 6 operations, not 1)
        Accumulation numerics = ScheduleLegality.needsDoubleWord(n) ? Accumulation.DOUBLE : Accumulation.PLAIN;
        GroupSchedule pointwise = new GroupSchedule(name, members, Strategy.POINTWISE, POINTWISE_THREADS, 1, 1, numerics, 1);
        return switch (n.op()) {
            // long contiguous lines: a block per line (a thread per line would read far-apart rows a warp at a time)
            case Op.Scan s -> s.dim() == n.result().type().rank() - 1 && n.result().type().shape().dim(s.dim()) >= BLOCK_SCAN_LENGTH
                    ? pointwise.withStrategy(Strategy.BLOCK).withThreads(REDUCE_THREADS) : pointwise.withStrategy(Strategy.SCAN);
            case Op.Constant c -> throw new IllegalArgumentException("constants need no kernel");
            // a warp per row while a row is short, else a block
            case Op.RowFused row -> {
                GroupSchedule s = pointwise.withThreads(REDUCE_THREADS)
                        .withStrategy(row.stats().reduceShape().numel() <= WARP_ROW_MAX ? Strategy.WARP : Strategy.BLOCK);
                yield reductionVector(s, ScheduleLegality.rowStatistics(n), n, machine, precision);
            }
            case Op.Generic gen -> {
                GroupSchedule reduce = pointwise.withThreads(REDUCE_THREADS);
                long rows = gen.reduceShape().numel(), outputs = n.result().type().shape().numel() / gen.reduction().components();
                GroupSchedule tiled = gen.reduction() == Op.Reduction.NONE ? null : tiled(pointwise, n, machine, precision);
                if (tiled != null) yield tiled;
                GroupSchedule window = gen.reduction() == Op.Reduction.NONE ? null : windowed(pointwise, n, machine, precision);
                if (window != null) yield window;
                if (gen.reduction() == Op.Reduction.NONE || rows < SHORT_ROW) yield pointwiseDefaults(pointwise, n, machine);
                int splits = gridSplits(outputs, rows, machine);
                if (splits >= 2) yield reductionVector(reduce.withStrategy(Strategy.GRID).withSplits(splits), n, n, machine, precision);
                if (contiguousRows(n, gen))
                    yield reductionVector(reduce.withStrategy(rows <= WARP_ROW_MAX ? Strategy.WARP : Strategy.BLOCK), n, n, machine, precision);
                yield rows >= LONG_REDUCTION && outputs <= FEW_OUTPUTS
                        ? reductionVector(reduce.withStrategy(Strategy.BLOCK), n, n, machine, precision) : pointwiseDefaults(pointwise, n, machine);
            }
        };
    }

    /** Block tiles for contractions, largest first: (m, n, threadM, threadN), all of 256 threads. */
    private static final int[][] TILES = {{128, 128, 8, 8}, {128, 64, 8, 4}, {64, 64, 4, 4}, {64, 32, 4, 2}, {32, 32, 2, 2}};
    /** Contractions with fewer rows or columns than this reuse too little of a staged tile to pay for staging it. */
    public static final long MIN_TILE_SIDE = 32;
    /** ... or a reduction shorter than this. */
    public static final long MIN_TILE_REDUCTION = 8;

    /**
     * TILE for a contraction with enough rows, columns and terms: on tensor cores where the target has them (the
     * precision's unit: 3xtf32 where the reduction is short enough for its error budget), else on the cores; the
     * largest block tile that still gives every SM a block, or where none does one split along K (see {@link
     * #choose}); a reduction step of 16 terms (8 for short reductions), plain sums where legality allows and
     * double-word totals (with smaller per-thread tiles) where not. Null for groups that are no such contraction,
     * or too small to fill the GPU even split.
     */
    static GroupSchedule tiled(GroupSchedule base, Node n, MachineModel machine, Precision precision) {
        Contraction c = Contraction.of(n);
        if (c == null || c.rowCount() < MIN_TILE_SIDE || c.colCount() < MIN_TILE_SIDE || c.kCount() < MIN_TILE_REDUCTION) return null;
        long kCount = c.kCount();
        Accumulation numerics = kCount <= ScheduleLegality.PLAIN_SUM_LIMIT ? Accumulation.PLAIN : Accumulation.DOUBLE;
        for (MatrixUnit unit : tensorCoreUnits(precision, machine, kCount)) {
            // the reduced classes sum plainly in fp32, as PyTorch's own; 3xtf32's accumulators truncate, so plain sums
            // only for the shortest reductions
            Accumulation mmaNumerics = unit != MatrixUnit.TF32X3 || kCount <= Tiles.TENSOR_CORE_PLAIN_TERMS ? Accumulation.PLAIN : Accumulation.DOUBLE;
            // warp tiles of 32 x 32 hold 32 outputs a thread (96 registers with double-word totals); 64 x 32 for plain sums
            int[] pick = choose(c, mmaNumerics == Accumulation.PLAIN ? MMA_PLAIN_TILES : MMA_TILES, 16, machine);
            GroupSchedule s = base.withAccumulation(mmaNumerics).withTiles(staged(Tiles.mma(pick[0], pick[1], 16, pick[2], pick[3], unit), c, n, machine))
                    .withSplits(pick[4]);
            // too few tiles even split: the next unit, the cores' smaller tiles below, or the reduction strategies
            if (tileCount(c, pick) * pick[4] >= machine.multiprocessors() / 2 && ScheduleLegality.problem(s, n, machine, precision) == null) return s;
        }
        // double-word totals take three registers per output: half the rows, for the same 256 threads
        int[][] shapes = numerics == Accumulation.DOUBLE ? HALF_TILES : TILES;
        int step = kCount <= 8 ? 8 : 16;
        int[] pick = choose(c, shapes, step, machine);
        // too few tiles to occupy the GPU even split along K: the reduction strategies split the sum instead
        if (tileCount(c, pick) * pick[4] < machine.multiprocessors()) return null;
        Tiles tiles = new Tiles(pick[0], pick[1], step, pick[2], pick[3]);
        GroupSchedule s = base.withAccumulation(numerics).withTiles(staged(tiles, c, n, machine)).withSplits(pick[4]);
        return ScheduleLegality.problem(s, n, machine, precision) == null ? s : null;
    }

    /** The tensor-core units to try, in order: a reduced class's own, then 3xtf32 where the class allows it. */
    private static List<MatrixUnit> tensorCoreUnits(Precision precision, MachineModel machine, long kCount) {
        if (!machine.tensorCores() || kCount < 16) return List.of();
        List<MatrixUnit> units = new ArrayList<>();
        if (!precision.fp32Accurate() && precision.matrixUnit().tensorCores()) units.add(precision.matrixUnit());
        if (precision.allows(MatrixUnit.TF32X3)) units.add(MatrixUnit.TF32X3);
        return units;
    }

    /** A chunk of a split reduction runs at least this many steps, so that its pipeline fills. */
    public static final long MIN_SPLIT_STEPS = 16;

    /**
     * Split K for a contraction whose {@code tiles} leave SMs idle: chunks enough for two blocks an SM, each of at
     * least {@link #MIN_SPLIT_STEPS} steps of {@code step} terms; 1 where the tiles fill the GPU or the reduction is
     * too short to split.
     */
    static int splitK(Contraction c, long tiles, int step, MachineModel machine) {
        if (tiles >= machine.multiprocessors()) return 1;
        long steps = ceilDiv(c.kCount(), step);
        long want = Math.min(ceilDiv(2L * machine.multiprocessors(), tiles), steps / MIN_SPLIT_STEPS);
        int splits = (int) Math.min(want, ScheduleLegality.MAX_TILE_SPLITS);
        while (splits > 1 && (splits - 1) * ceilDiv(steps, splits) >= steps) splits--; // no chunk left empty
        return Math.max(1, splits);
    }

    /** The tiles with their stages said: a cp.async ring as deep as fits where the factors are plain reads, else 1. */
    private static Tiles staged(Tiles t, Contraction c, Node n, MachineModel machine) {
        long limit = Math.min(ScheduleLegality.STATIC_SHARED_BYTES, machine.maxSharedBytesPerBlock());
        return t.withStages(c.plainFactors(n) ? t.automaticStages(limit) : 1);
    }

    /** Tensor-core block tiles, largest first: (m, n, warpM, warpN), 256 threads but the last (128). */
    private static final int[][] MMA_TILES = {{64, 128, 32, 32}, {64, 64, 32, 32}, {32, 64, 16, 32}};
    private static final int[][] MMA_PLAIN_TILES = {{128, 128, 64, 32}, {64, 128, 32, 32}, {64, 64, 32, 32}, {32, 64, 16, 32}};

    /** TILES with half the rows (and half the rows a thread): for double-word totals, three registers an output. */
    private static final int[][] HALF_TILES = java.util.Arrays.stream(TILES)
            .map(t -> t[2] > 1 ? new int[] {t[0] / 2, t[1], t[2] / 2, t[3]} : t).toArray(int[][]::new);

    /**
     * A tile shape and its split: the largest that gives every SM a block unsplit; where none does, the largest
     * whose tiles split along K (see {@link #splitK}) give two blocks an SM; else the smallest, split as far as it
     * goes. As (m, n, per-thread or per-warp m, n, splits).
     */
    private static int[] choose(Contraction c, int[][] tiles, int step, MachineModel machine) {
        int[] pick = largestFilling(c, tiles, machine);
        if (tileCount(c, pick) < machine.multiprocessors())
            for (int[] t : tiles)
                if (tileCount(c, t) * splitK(c, tileCount(c, t), step, machine) >= 2L * machine.multiprocessors()) { pick = t; break; }
        return new int[] {pick[0], pick[1], pick[2], pick[3], splitK(c, tileCount(c, pick), step, machine)};
    }

    /** The largest tile that still gives every SM a block (else the smallest). */
    private static int[] largestFilling(Contraction c, int[][] tiles, MachineModel machine) {
        for (int[] t : tiles)
            if (tileCount(c, t) >= machine.multiprocessors()) return t;
        return tiles[tiles.length - 1];
    }

    /** Blocks a tile of t[0] x t[1] outputs gives the contraction. */
    private static long tileCount(Contraction c, int[] t) {
        return c.batchCount() * ceilDiv(c.rowCount(), t[0]) * ceilDiv(c.colCount(), t[1]);
    }

    /** Windows are staged where a tile reads each staged element at least this often (overlapping windows). */
    public static final double MIN_WINDOW_REUSE = 2;

    /**
     * WINDOW for a windowed reduction whose tiles reuse their footprint enough (see {@link Window}): a row of up to
     * 256 threads across the innermost result dim, and the most items up to 8 (rows of a 2-D window, else more
     * columns) that the shape fills, shared memory holds and still give every SM a block. Null otherwise.
     */
    static GroupSchedule windowed(GroupSchedule base, Node n, MachineModel machine, Precision precision) {
        Window w = Window.of(n);
        if (w == null) return null;
        long[] dims = n.result().type().shape().toArray();
        long inner = dims[dims.length - 1];
        int threads = (int) Math.min(POINTWISE_THREADS, ceilDiv(inner, 32) * 32);
        long along = w.rowsWindowed() ? dims[dims.length - 2] : ceilDiv(inner, threads);
        for (int items = (int) Math.min(MAX_DEFAULT_ITEMS, along); items >= 1; items--) {
            GroupSchedule s = base.withStrategy(Strategy.WINDOW).withThreads(threads).withItems(items);
            long[] span = w.span(threads, items);
            if (w.reuse(span) < MIN_WINDOW_REUSE) return null; // fewer items reuse less still
            if (Window.tilesOf(dims, span, dims.length) >= machine.multiprocessors() && ScheduleLegality.problem(s, n, machine, precision) == null) return s;
        }
        return null;
    }

    /** The blocks the machine runs at once with blocks of {@code threads}. */
    static long wave(MachineModel machine, int threads) {
        return (long) machine.multiprocessors() * Math.max(1, RESIDENT_THREADS_PER_SM / threads);
    }

    /**
     * GRID's split count for a reduction, or 1 where a block per output already fills half a wave (the GPU is busy
     * enough) or the rows are too short to give two blocks {@link #MIN_SLICE} terms each. Otherwise enough blocks
     * per output for {@link #GRID_WAVES} waves, each with at least MIN_SLICE terms: MSELoss over 10^8 elements on an
     * H100 gets 2112 blocks of 47k terms instead of one block of all of them.
     */
    static int gridSplits(long outputs, long rows, MachineModel machine) {
        long wave = wave(machine, REDUCE_THREADS);
        if (outputs * 2 > wave) return 1;
        long splits = Math.min(ceilDiv(GRID_WAVES * wave, outputs), rows / MIN_SLICE);
        return (int) Math.max(1, splits);
    }

    /**
     * Whether lanes striding over the reduction read memory together: every operand the group reads is read in runs
     * of at least a warp's 32 consecutive terms (or the whole row, when shorter) from consecutive addresses, or
     * does not move along the reduction at all.
     */
    private static boolean contiguousRows(Node n, Op.Generic gen) {
        long need = Math.min(32, gen.reduceShape().numel());
        BitSet used = VectorAccess.used(gen);
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1))
            if (VectorAccess.contiguousRun(n, k) < need) return false;
        return true;
    }

    /**
     * A POINTWISE group's vector width and items: vector 4 (else 2) where every read and the store allow it and the
     * vector loads fit {@link #VECTOR_REGISTERS}; and once the grid would be more than {@link #ITEM_WAVES} waves of
     * blocks, items so it stays about that deep (longer-lived threads amortise their index arithmetic and keep more
     * loads in flight).
     */
    static GroupSchedule pointwiseDefaults(GroupSchedule s, Node n, MachineModel machine) {
        int vector = 1;
        for (int width : new int[] {4, 2})
            if (VectorAccess.problem(n, width) == null && VectorAccess.vectorReads(n, width) * width <= VECTOR_REGISTERS) {
                vector = width;
                break;
            }
        long work = n.result().type().shape().numel() / vector;
        long blocks = ceilDiv(work, s.threads());
        long deep = ITEM_WAVES * wave(machine, s.threads());
        int items = blocks <= deep ? 1 : (int) Math.min(MAX_DEFAULT_ITEMS, blocks / deep);
        int reuse = reuseItems(n, vector, s.threads(), machine);
        return s.withVector(vector).withItems(reuse > 0 ? reuse : items);
    }

    /** An operand at least this large is worth reading from DRAM once rather than once per leading index. */
    static final long REUSED_OPERAND_BYTES = 1 << 20;

    /**
     * Items that make a thread's items the same element of a large operand which the leading result dims do not
     * index (a LayerNorm's weight and bias over rows): with R such leading rows and the rest of the result a whole
     * number of blocks, items = R puts the grid over one row and each thread's items a row apart, so the operand is
     * read from DRAM once and then from the cache, not once per row. 0 where no operand gains.
     */
    static int reuseItems(Node n, int vector, int threads, MachineModel machine) {
        Op.Generic gen = (Op.Generic) n.op();
        long[] dims = n.result().type().shape().toArray();
        BitSet used = VectorAccess.used(gen);
        int best = 0;
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) {
            var v = n.operands().get(k);
            if (v.type().shape().numel() * v.type().dtype().bytes < REUSED_OPERAND_BYTES) continue;
            int lead = 0;
            while (lead < dims.length && !usesDims(gen.maps().get(k), lead)) lead++;
            if (lead == 0 || lead == dims.length) continue;
            long rows = 1, rest = 1;
            for (int d = 0; d < dims.length; d++) if (d < lead) rows *= dims[d]; else rest *= dims[d];
            if (rows < 2 || rows > ScheduleLegality.MAX_ITEMS || rest % ((long) vector * threads) != 0) continue;
            if (rest / vector / threads < machine.multiprocessors()) continue; // a row must still fill the GPU
            best = Math.max(best, (int) rows);
        }
        return best;
    }

    /** Whether the map reads result dim d (the leading dims up to d are all it skips). */
    private static boolean usesDims(kc.ir.graph.IndexMap map, int d) {
        for (kc.ir.graph.IndexExpr e : map.exprs()) if (kc.ir.graph.IndexExpr.anyDim(e, x -> x == d)) return true;
        return false;
    }

    /**
     * A reduction strategy's vector width (the {@code group}'s schedule s, whose reduction is {@code reduction}: the
     * group itself, or a row kernel's statistics): 4, else 2, where each lane can take that many consecutive terms
     * with one vector load per operand, every lane still gets a whole vector, and the loads fit
     * {@link #VECTOR_REGISTERS}. Scalar loads left a memory-bound reduction (a loss, a norm's statistics) well
     * short of the copy bandwidth: four times the memory instructions and the index arithmetic per term.
     */
    static GroupSchedule reductionVector(GroupSchedule s, Node reduction, Node group, MachineModel machine, Precision precision) {
        long terms = ((Op.Generic) reduction.op()).reduceShape().numel();
        int lanes = s.strategy() == Strategy.WARP ? 32 : s.threads();
        for (int width : new int[] {4, 2}) {
            GroupSchedule v = s.withVector(width);
            if (terms >= (long) lanes * width && VectorAccess.reductionProblem(reduction, width) == null
                    && VectorAccess.reductionVectorReads(reduction, width) * width <= VECTOR_REGISTERS
                    && ScheduleLegality.problem(v, group, machine, precision) == null)
                return v;
        }
        return s;
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
