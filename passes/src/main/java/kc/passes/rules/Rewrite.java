package kc.passes.rules;

import java.util.List;

import kc.ir.graph.Node;
import kc.ir.graph.Value;

/** What a rule makes of the node it matched. */
public sealed interface Rewrite {
    /**
     * The node is replaced by {@code node}, which defines the same result value; its operands must be defined
     * before the matched node. Producers it no longer reads die if nothing else reads them.
     *
     * <p>A rewrite that splits one computation over several nodes also gives {@code inserted}: new nodes (with
     * fresh value ids, see {@link RuleContext#freshId}) placed just before {@code node}, whose operands are defined
     * before the matched node; and {@code later}: replacements for nodes after the matched one (same result ids),
     * which take their places when the sweep reaches them.
     */
    record Replace(Node node, List<Node> inserted, List<Node> later) implements Rewrite {
        public Replace {
            inserted = List.copyOf(inserted);
            later = List.copyOf(later);
        }

        public Replace(Node node) { this(node, List.of(), List.of()); }
    }

    /** Every use of the matched node's result reads {@code to} instead (defined earlier); the node dies. */
    record Forward(Value to) implements Rewrite {}
}
