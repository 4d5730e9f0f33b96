package kc.passes.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;

/**
 * The built-in heuristics: a {@link GroupSchedule} for every fusion group of a (fused) graph. Generics without a
 * reduction, or with a short one, or with many outputs, run POINTWISE; long reductions over few outputs run a
 * BLOCK per output; Scans run SCAN. Float sums accumulate double-word.
 */
public final class DefaultScheduler {
    private DefaultScheduler() {}

    public static final int POINTWISE_THREADS = 256;
    public static final int REDUCE_THREADS = 256;
    /** Reductions at least this long may use a block per output. */
    public static final long LONG_REDUCTION = 256;
    /** ... when there are at most this many outputs (otherwise one thread per output already fills the GPU). */
    public static final long FEW_OUTPUTS = 1L << 15;

    public static Schedule schedule(Graph g) { return complete(g, Schedule.EMPTY); }

    /**
     * The given groups as they are (their member lists filled in from the graph where they left them out), and the
     * defaults for every group they do not name. Groups naming nothing in the graph are left for legality to report.
     */
    public static Schedule complete(Graph g, Schedule partial) {
        GroupNames names = GroupNames.of(g);
        Map<String, GroupSchedule> given = partial.byName();
        List<GroupSchedule> groups = new ArrayList<>();
        for (Node n : names.groupNodes()) {
            String name = names.group(n);
            GroupSchedule s = given.remove(name);
            if (s == null) s = defaults(name, names.members(n), n);
            else if (s.members().isEmpty()) s = s.withMembers(names.members(n));
            groups.add(s);
        }
        groups.addAll(given.values()); // unknown names: legality says which
        return new Schedule(groups);
    }

    /** The heuristic schedule of one group. */
    public static GroupSchedule defaults(String name, List<String> members, Node n) {
        Strategy strategy = strategy(n);
        int threads = strategy == Strategy.BLOCK ? REDUCE_THREADS : POINTWISE_THREADS;
        return new GroupSchedule(name, members, strategy, threads, 1, 1, Accumulation.DOUBLE, 1);
    }

    private static Strategy strategy(Node n) {
        return switch (n.op()) {
            case Op.Scan s -> Strategy.SCAN;
            case Op.Generic gen -> {
                long reduce = gen.reduceShape().numel();
                long outputs = n.result().type().shape().numel();
                yield gen.reduction() != Op.Reduction.NONE && reduce >= LONG_REDUCTION && outputs <= FEW_OUTPUTS
                        ? Strategy.BLOCK : Strategy.POINTWISE;
            }
            case Op.Constant c -> throw new IllegalArgumentException("constants need no kernel");
        };
    }
}
