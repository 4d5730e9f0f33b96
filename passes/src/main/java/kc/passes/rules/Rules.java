package kc.passes.rules;

import kc.ir.graph.Graph;
import kc.passes.schedule.Schedule;

/**
 * The registry of graph rules and the fixed-order programs the pipeline runs. (Being filled in: the programs are
 * empty until the rules land.)
 */
public final class Rules {
    private Rules() {}

    /** Canonicalise: identities dropped, views folded into index maps, constants folded, common subexpressions shared. */
    public static Graph canonicalise(Graph g) { return g; }

    /** Substitute: ops replaced by cheaper equivalent forms on the target (issue 12). */
    public static Graph substitute(Graph g) { return g; }

    /**
     * Fuse: producers inlined into consumers, consumers fused into reductions' epilogues. Groups that {@code directives}
     * names fuse exactly the members it lists; the rest follow the heuristics.
     */
    public static Graph fuse(Graph g, Schedule directives) { return g; }
}
