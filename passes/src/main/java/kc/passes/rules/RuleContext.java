package kc.passes.rules;

import java.util.List;

import kc.ir.graph.Node;
import kc.ir.graph.Value;

/** What a rule may ask about the graph around the node it looks at (as of the start of the current sweep). */
public interface RuleContext {
    /** The node defining v, or null for inputs and parameters. */
    Node definer(Value v);

    /** The nodes reading v (a node reading v twice is listed once). */
    List<Node> users(Value v);

    /** How many nodes read v: cheaper than {@link #users} for values read thousands of times. */
    int userCount(Value v);

    /** Whether v is a graph output (it must be stored whatever else happens). */
    boolean isOutput(Value v);

    /** An earlier node computing the same thing as n (same op, operands and type), or null. */
    Node earlierAlike(Node n);

    /** A value id no node of the graph uses yet (for the nodes a {@link Rewrite.Replace} inserts). */
    int freshId();

    /** Whether fusing the groups these two nodes belong to is allowed by the schedule's directives. */
    boolean mayFuse(Node a, Node b);
}
