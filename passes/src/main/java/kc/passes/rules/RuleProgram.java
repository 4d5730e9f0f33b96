package kc.passes.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Value;

/**
 * A fixed-order program of rules (Calcite's HepPlanner): sweeps the nodes in graph order, trying the rules in order
 * at each node and applying the first rewrite that matches, until a sweep changes nothing; then drops the nodes
 * nothing reads. Forwarded values are substituted as later nodes are visited, so graph order stays topological.
 * A node where the rules matched nothing is tried again only once something they asked about has changed
 * ({@link ProgramState}): what they would decide is the same.
 *
 * @param name   the program's name (a pipeline stage)
 * @param rules  tried in this order at every node
 */
public record RuleProgram(String name, List<Rule> rules) {
    public RuleProgram { rules = List.copyOf(rules); }

    /** Sweeps are cheap but not free: a program that still changes the graph after this many is a rule bug. */
    static final int MAX_SWEEPS = 64;

    public Graph run(Graph g) { return run(g, FusionPolicy.HEURISTIC); }

    public Graph run(Graph g, FusionPolicy policy) {
        ProgramState state = new ProgramState(g, policy);
        Map<Integer, Node> pending = new HashMap<>(); // Replace.later, by result id
        List<Node> nodes = g.nodes();
        for (int sweep = 0; ; sweep++) {
            if (sweep == MAX_SWEEPS) throw new IllegalStateException("rule program " + name + " did not settle after " + MAX_SWEEPS + " sweeps");
            state.beginSweep(outputs(g, state));
            boolean changed = false;
            List<Node> next = new ArrayList<>(nodes.size());
            for (Node n : nodes) {
                Node later = pending.isEmpty() ? null : pending.remove(n.result().id());
                if (later != null) {
                    state.replaced(n, later);
                    n = later;
                }
                n = state.substitute(n);
                switch (state.rewrite(rules, n)) {
                    case null -> next.add(n);
                    case Rewrite.Replace rep -> {
                        if (rep.node().result().id() != n.result().id())
                            throw new IllegalStateException("rule replaced " + n.result() + " by a node defining " + rep.node().result());
                        for (Node x : rep.inserted()) {
                            state.added(x, next.isEmpty() ? null : next.getLast(), rep.node());
                            next.add(x);
                        }
                        next.add(rep.node());
                        state.replaced(n, rep.node());
                        for (Node l : rep.later()) pending.put(l.result().id(), l);
                        changed = true;
                    }
                    case Rewrite.Forward f -> {
                        state.forward(n.result(), f.to());
                        changed = true;
                    }
                }
            }
            List<Node> live = state.liveOnly(next, outputs(g, state));
            if (!changed) return new Graph(g.name(), g.inputs(), g.params(), live, outputs(g, state));
            state.endSweep(nodes, live);
            nodes = live;
        }
    }

    private static List<Value> outputs(Graph g, ProgramState state) {
        List<Value> out = new ArrayList<>(g.outputs().size());
        for (Value v : g.outputs()) out.add(state.resolve(v));
        return out;
    }
}
