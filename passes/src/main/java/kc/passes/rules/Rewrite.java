package kc.passes.rules;

import kc.ir.graph.Node;
import kc.ir.graph.Value;

/** What a rule makes of the node it matched. */
public sealed interface Rewrite {
    /**
     * The node is replaced by {@code node}, which defines the same result value; its operands must be defined
     * before the matched node. Producers it no longer reads die if nothing else reads them.
     */
    record Replace(Node node) implements Rewrite {}

    /** Every use of the matched node's result reads {@code to} instead (defined earlier); the node dies. */
    record Forward(Value to) implements Rewrite {}
}
