package kc.passes.rules;

import kc.ir.graph.Node;

/**
 * A graph rewrite rule: a pattern at one node and a pure rewrite (Calcite's planner rules). {@link #apply} looks at
 * node {@code n} and what the context says about its surroundings and returns the rewrite, or null when the
 * pattern does not match. Rules never mutate anything; the {@link RuleProgram} applies what they return.
 */
public interface Rule {
    /** The registry name, as `kc explain` and the tests print it. */
    String name();

    Rewrite apply(RuleContext ctx, Node n);
}
