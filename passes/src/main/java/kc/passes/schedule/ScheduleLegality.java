package kc.passes.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.tile.Kernel;
import kc.ir.graph.Op;
import kc.ir.graph.Value;
import kc.passes.cost.MachineModel;

/**
 * Whether a schedule is one the lowering can implement for a graph on a target, in one place, with a precise reason
 * per problem naming the group and the limit it breaks, e.g.
 * {@code group softmax#1: threads 2048 exceeds 1024 per block on sm_90}. Every schedule, whoever wrote it, passes
 * here before lowering; what passes computes the same result as the default up to rounding.
 */
public final class ScheduleLegality {
    private ScheduleLegality() {}

    /**
     * Plain fp32 sums are allowed up to this many terms. Their error grows about as sqrt(n) rounding errors of the
     * terms' magnitude; at 256 terms of similar size that stays well inside 1e-4 relative to the sum of
     * magnitudes. Longer float sums accumulate double-word.
     */
    public static final long PLAIN_SUM_LIMIT = 256;

    /** Outputs per thread at most: past this a grid of a few waves is already reached (and indices stay in range). */
    public static final int MAX_ITEMS = 64;

    /** One problem: the group it concerns (null for the whole schedule) and why. */
    public record Problem(String group, String message) {
        @Override public String toString() { return (group == null ? "" : "group " + group + ": ") + message; }
    }

    public static List<Problem> check(Graph g, Schedule s, MachineModel machine) {
        List<Problem> problems = new ArrayList<>();
        GroupNames names = GroupNames.of(g);
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : names.groupNodes()) nodes.put(names.group(n), n);
        Set<String> seen = new HashSet<>();
        for (GroupSchedule gs : s.groups()) {
            String name = gs.name();
            if (!seen.add(name)) { problems.add(new Problem(name, "scheduled twice")); continue; }
            Node n = nodes.get(name);
            if (n == null) { problems.add(new Problem(name, "no such group in " + g.name() + " (its groups: " + sample(nodes.keySet()) + ")")); continue; }
            String why = problem(gs, n, machine, s.precisionOrDefault());
            if (why != null) problems.add(new Problem(name, why));
        }
        for (String name : nodes.keySet())
            if (!seen.contains(name)) problems.add(new Problem(name, "is not scheduled"));
        return problems;
    }

    /** Throws IllegalArgumentException with every reason when the schedule is illegal. */
    public static void require(Graph g, Schedule s, MachineModel machine) {
        List<Problem> problems = check(g, s, machine);
        if (problems.isEmpty()) return;
        List<String> lines = new ArrayList<>();
        for (Problem p : problems) lines.add(p.toString());
        throw new IllegalArgumentException("illegal schedule for " + g.name() + ":\n  " + String.join("\n  ", lines));
    }

    /** The first thing wrong with running node n as gs on the machine, or null. */
    static String problem(GroupSchedule gs, Node n, MachineModel m, Precision precision) {
        int threads = gs.threads();
        if (threads < 1 || threads > m.maxThreadsPerBlock())
            return "threads " + threads + " exceeds " + m.maxThreadsPerBlock() + " per block on " + m.target();
        if (gs.items() < 1) return "items " + gs.items() + " must be at least 1";
        if (gs.vector() != 1 && gs.vector() != 2 && gs.vector() != 4) return "vector " + gs.vector() + " is not 1, 2 or 4";
        if (gs.splits() < 1) return "split " + gs.splits() + " must be at least 1";
        Strategy st = gs.strategy();
        if (n.op() instanceof Op.Scan) {
            if (st != Strategy.SCAN && st != Strategy.BLOCK) return "a scan runs with strategy scan (a thread per line) or block (a block per line), not " + st.word();
            return st == Strategy.BLOCK && threads % 32 != 0 ? "strategy block scans in whole warps; threads " + threads + " is not a multiple of 32" : null;
        }
        if (n.op() instanceof Op.RowFused) {
            if (st != Strategy.WARP && st != Strategy.BLOCK) return "a row kernel runs a warp or a block per row, not strategy " + st.word();
            if (threads % 32 != 0) return "strategy " + st.word() + " needs whole warps; threads " + threads + " is not a multiple of 32";
            if (gs.items() != 1 || gs.splits() != 1) return "a row kernel takes no items or split";
            return VectorAccess.reductionProblem(rowStatistics(n), gs.vector());
        }
        if (!(n.op() instanceof Op.Generic gen)) return "a constant is a buffer, not a kernel";
        if (st == Strategy.SCAN) return "strategy scan needs a scan; this group is a " + n.op().name();
        if (st == Strategy.TILE) return tileProblem(gs, n, m, precision);
        if (gs.tiles() != null) return "tile applies to strategy tile only";
        if (st == Strategy.WINDOW) {
            String why = windowProblem(gs, n, m);
            if (why != null) return why;
        }
        boolean reduces = gen.reduction() != Op.Reduction.NONE;
        if (st.cooperative() && !reduces) return "strategy " + st.word() + " splits a reduction across threads; this group has none";
        if (st.cooperative() && threads % 32 != 0) return "strategy " + st.word() + " needs whole warps; threads " + threads + " is not a multiple of 32";
        if (st == Strategy.WARP && threads > 32 && gs.items() != 1) return "strategy warp runs one output per warp; items must be 1";
        if (st == Strategy.GRID && gs.splits() < 2) return "strategy grid needs split 2 or more";
        if (st != Strategy.GRID && gs.splits() != 1) return "split " + gs.splits() + " needs strategy grid (or tile)";
        long length = gen.reduceShape().numel();
        if (st == Strategy.GRID && gs.splits() > length)
            return "split " + gs.splits() + " exceeds the reduction length " + length + " (a block per term at most)";
        if (gs.vector() != 1) {
            String why = st == Strategy.POINTWISE ? VectorAccess.problem(n, gs.vector()) : VectorAccess.reductionProblem(n, gs.vector());
            if (why != null) return why;
            long chunk = (length + gs.splits() - 1) / gs.splits();
            chunk = (chunk + gs.vector() - 1) / gs.vector() * gs.vector();
            if (st == Strategy.GRID && (gs.splits() - 1) * chunk >= length)
                return "vector " + gs.vector() + " with split " + gs.splits() + ": slices of whole vectors (" + chunk + " terms) leave the last split empty";
        }
        if (gs.items() != 1 && st != Strategy.POINTWISE && st != Strategy.WINDOW) return "items " + gs.items() + " applies to strategies pointwise and window only";
        if (gs.items() > MAX_ITEMS) return "items " + gs.items() + " exceeds " + MAX_ITEMS + " per thread";
        if (gs.accumulation() == Accumulation.PLAIN && reduces && floatSum(gen, n)) {
            if (length > PLAIN_SUM_LIMIT)
                return "accumulate plain sums " + length + " terms; at most " + PLAIN_SUM_LIMIT + " keep fp32 within 1e-4 (accumulate double)";
        }
        return null;
    }

    /** The reduction a row kernel computes its statistics with, as a node of its own (what its vector applies to). */
    public static Node rowStatistics(Node n) {
        Op.RowFused row = (Op.RowFused) n.op();
        return new Node(new Value(-1, row.statsType(), null), row.stats(), n.operands().subList(0, row.statsOperands()), n.origin());
    }

    /** Shared memory a kernel may declare statically (past it, its arrays move to dynamic shared memory). */
    public static final long STATIC_SHARED_BYTES = Kernel.STATIC_SHARED_LIMIT;
    /** Operand buffers a tile may cycle through: more only wait on copies that arrived long before. */
    public static final int MAX_STAGES = 8;
    /** Accumulator registers a thread may hold: with the operands in flight, more spills on every target. */
    public static final int MAX_ACCUMULATORS = 128;

    private static String tileProblem(GroupSchedule gs, Node n, MachineModel m, Precision precision) {
        Contraction c = Contraction.of(n);
        if (c == null) return "strategy tile needs a contraction (an fp32 sum of a product of two factors, each reading its own operands); this group is a " + n.op().name();
        Tiles t = gs.tiles();
        if (t == null) return "strategy tile needs tile MxNxK and thread MxN (or warp MxN and mma tf32x3, tf32 or bf16)";
        boolean simt = t.unit() == MatrixUnit.SIMT;
        if (!precision.allows(t.unit()))
            return "mma " + t.unit().word() + " is not allowed under precision " + precision.word() + " (" + (precision.matrixUnit().tensorCores() ? "mma " + precision.matrixUnit().word() + ", or " : "") + "thread MxN)";
        String per = simt ? "thread " + t.threadM() + "x" + t.threadN() : "warp " + t.warpM() + "x" + t.warpN();
        int perM = simt ? t.threadM() : t.warpM(), perN = simt ? t.threadN() : t.warpN();
        if (t.m() < 1 || t.n() < 1 || t.k() < 1 || perM < 1 || perN < 1) return "tile " + t + " has a size below 1";
        if (t.m() % perM != 0 || t.n() % perN != 0) return per + " does not divide tile " + t.m() + "x" + t.n();
        if (simt && (t.threadM() > 16 || t.threadN() > 16)) return per + " exceeds 16 outputs along a side";
        int kStep = t.unit().termsPerInstruction;
        if (!simt && (t.warpM() % 16 != 0 || t.warpN() % 8 != 0 || t.k() % kStep != 0))
            return "mma " + t.unit().word() + " runs m16n8k" + kStep + " instructions: " + per + " must be a multiple of 16x8 and the step " + t.k() + " of " + kStep;
        if (gs.threads() != t.threads()) return "tile " + t.m() + "x" + t.n() + " with " + per + " runs " + t.threads() + " threads, not threads " + gs.threads();
        if (t.threads() > m.maxThreadsPerBlock()) return "threads " + t.threads() + " exceeds " + m.maxThreadsPerBlock() + " per block on " + m.target();
        if (t.threads() % 32 != 0) return "strategy tile needs whole warps; tile " + t.m() + "x" + t.n() + " with " + per + " runs " + t.threads() + " threads";
        boolean plainFactors = c.plainFactors(n);
        if (t.stages() > MAX_STAGES) return "stages " + t.stages() + ": at most " + MAX_STAGES;
        if (t.stages() >= 2 && !plainFactors)
            return "stages " + t.stages() + " copies the operand tiles asynchronously (cp.async), which takes fp32 operands read as they are; this contraction computes a factor (stages 1)";
        long shared = t.sharedBytes(plainFactors), limit = m.maxSharedBytesPerBlock(); // past 48 KB: dynamic shared memory
        if (shared > limit)
            return "tile " + t.m() + "x" + t.n() + "x" + t.k() + (t.ring(plainFactors) > 1 ? " in " + t.ring(plainFactors) + " stages" : "") + " takes " + shared
                    + " bytes of shared memory; at most " + limit + " on " + m.target() + " (a smaller tile or fewer stages)";
        boolean plain = gs.accumulation() == Accumulation.PLAIN;
        int outputsPerThread = simt ? t.threadM() * t.threadN() : t.warpM() * t.warpN() / 32;
        int accumulators = outputsPerThread * (plain ? 1 : 3);
        if (accumulators > MAX_ACCUMULATORS)
            return per + " with accumulate " + gs.accumulation().word() + " holds " + accumulators + " accumulators a thread; at most " + MAX_ACCUMULATORS;
        if (gs.items() != 1 || gs.vector() != 1) return "strategy tile takes no items or vector";
        if (gs.splits() < 1 || gs.splits() > MAX_TILE_SPLITS) return "split " + gs.splits() + ": strategy tile splits its reduction 1 to " + MAX_TILE_SPLITS + " ways";
        long steps = (c.kCount() + t.k() - 1) / t.k();
        long perChunk = (steps + gs.splits() - 1) / gs.splits();
        if (gs.splits() > 1 && (gs.splits() - 1) * perChunk >= steps)
            return "split " + gs.splits() + " leaves a chunk without terms: " + c.kCount() + " terms in steps of " + t.k() + " are " + steps
                    + " steps, and chunks of " + perChunk + " fill only " + (steps + perChunk - 1) / perChunk;
        if (!precision.fp32Accurate()) return null; // the reduced classes sum plainly in fp32, as PyTorch's do
        if (plain && c.kCount() > PLAIN_SUM_LIMIT)
            return "accumulate plain sums " + c.kCount() + " terms; at most " + PLAIN_SUM_LIMIT + " keep fp32 within 1e-4 (accumulate double)";
        if (!simt && plain && c.kCount() > Tiles.TENSOR_CORE_PLAIN_TERMS)
            return "mma " + t.unit().word() + " with accumulate plain sums " + c.kCount() + " terms in the matrix units' truncating accumulators; at most "
                    + Tiles.TENSOR_CORE_PLAIN_TERMS + " keep 1e-4 (accumulate double)";
        if (t.unit() == MatrixUnit.TF32X3 && !plain && Tiles.tensorCoreRun(t.k(), c.kCount()) == 0)
            return "mma " + t.unit().word() + " over " + c.kCount() + " terms in steps of " + t.k() + " keeps more rounding error than 1e-4 allows (its products are not exact): use thread MxN";
        return null;
    }

    /** Chunks a tiled reduction may split into: each keeps a partial per output in scratch. */
    public static final int MAX_TILE_SPLITS = 64;

    private static String windowProblem(GroupSchedule gs, Node n, MachineModel m) {
        Window w = Window.of(n);
        if (w == null)
            return "strategy window needs a windowed reduction (pooling, a stencil: an operand read at a result dim plus a reduction dim); this group is a " + n.op().name();
        if (gs.threads() % 32 != 0) return "strategy window needs whole warps; threads " + gs.threads() + " is not a multiple of 32";
        if (gs.vector() != 1 || gs.splits() != 1) return "strategy window takes no vector or split";
        if (gs.items() < 1 || gs.items() > MAX_ITEMS) return null; // reported below
        long bytes = w.sharedBytes(n, w.span(gs.threads(), gs.items())), limit = Math.min(STATIC_SHARED_BYTES, m.maxSharedBytesPerBlock());
        if (bytes > limit)
            return "strategy window with threads " + gs.threads() + " and items " + gs.items() + " stages " + bytes + " bytes of shared memory; at most " + limit + " on " + m.target() + " (fewer items or threads)";
        return null;
    }

    /** Whether node n's reduction must accumulate double-word: a float sum (or product) longer than PLAIN_SUM_LIMIT. */
    public static boolean needsDoubleWord(Node n) {
        return n.op() instanceof Op.Generic gen && floatSum(gen, n) && gen.reduceShape().numel() > PLAIN_SUM_LIMIT;
    }

    private static boolean floatSum(Op.Generic gen, Node n) {
        DType t = n.result().type().dtype();
        return (gen.reduction() == Op.Reduction.SUM || gen.reduction() == Op.Reduction.PROD) && (t.isFloat() || gen.epilogue() != null);
    }

    private static String sample(Set<String> names) {
        List<String> sorted = new ArrayList<>(names);
        java.util.Collections.sort(sorted);
        return sorted.size() <= 8 ? String.join(", ", sorted) : String.join(", ", sorted.subList(0, 8)) + ", ...";
    }
}
