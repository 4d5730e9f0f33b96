package kc.passes.rules;

import java.util.List;

import kc.ir.graph.Graph;
import kc.passes.rules.canonical.DropNeutralOperations;
import kc.passes.rules.canonical.FoldConstants;
import kc.passes.rules.canonical.ForwardCopy;
import kc.passes.rules.canonical.ShareCommonSubexpression;
import kc.passes.rules.fusion.FuseEpilogue;
import kc.passes.rules.fusion.FuseRow;
import kc.passes.rules.fusion.FuseStatistics;
import kc.passes.rules.fusion.InlineProducer;
import kc.passes.schedule.Schedule;

/**
 * The registry of graph rules (one file each, under canonical/ and fusion/) and the fixed-order programs the
 * pipeline runs. To add a rule: write it, name it here, put it in a program, give it a golden test.
 */
public final class Rules {
    private Rules() {}

    /** Every rule instance, by the name the tests and `kc explain` use. */
    public static final List<Rule> ALL = List.of(
            DropNeutralOperations.INSTANCE, ForwardCopy.INSTANCE, FoldConstants.INSTANCE,
            ShareCommonSubexpression.INSTANCE, InlineProducer.VIEWS, InlineProducer.PRODUCERS, FuseEpilogue.INSTANCE,
            FuseStatistics.INSTANCE, FuseRow.INSTANCE);

    /** Identities dropped, views folded into index maps, constants folded, common subexpressions shared. */
    public static final RuleProgram CANONICALISE = new RuleProgram("canonicalise", List.of(
            DropNeutralOperations.INSTANCE, ForwardCopy.INSTANCE, FoldConstants.INSTANCE,
            ShareCommonSubexpression.INSTANCE, InlineProducer.VIEWS));

    /**
     * Epilogues first (a consumer joins the reduction before it could be inlined elsewhere), then prologues; two
     * passes over the same terms become one compound reduction once the terms are inlined into both.
     */
    public static final RuleProgram FUSE = new RuleProgram("fuse", List.of(FuseEpilogue.INSTANCE, InlineProducer.PRODUCERS, FuseStatistics.INSTANCE));

    /**
     * After fusion has settled (a row kernel must take the final elementwise op, not an intermediate one that fusion
     * would still inline elsewhere): a row's statistics and the op reading them become one kernel where rows fit.
     */
    public static final RuleProgram ROWS = new RuleProgram("rows", List.of(FuseRow.INSTANCE));

    public static Rule byName(String name) {
        for (Rule r : ALL) if (r.name().equals(name)) return r;
        throw new IllegalArgumentException("no rule named " + name);
    }

    public static Graph canonicalise(Graph g) { return CANONICALISE.run(g); }

    /**
     * The pipeline's graph stages with the heuristics alone (canonicalise, substitute, fuse), for tests and tools that
     * sit below the runtime's Pipeline (the codegen sweeps). The Pipeline runs them as stages of its own.
     */
    public static Graph optimised(Graph g) { return fuse(substitute(canonicalise(g)), Schedule.EMPTY); }

    /** Substitute: ops replaced by cheaper equivalent forms on the target (the rules come with issue 12). */
    public static Graph substitute(Graph g) { return g; }

    /**
     * Fuse: consumers fused into reductions' epilogues, producers inlined into consumers, then row kernels. Groups that
     * {@code directives} lists members for fuse only what they list; the rest follow the heuristics.
     */
    public static Graph fuse(Graph g, Schedule directives) {
        Graph fused = FUSE.run(g, FusionPolicy.of(g, directives));
        return ROWS.run(fused, FusionPolicy.of(fused, directives));
    }
}
