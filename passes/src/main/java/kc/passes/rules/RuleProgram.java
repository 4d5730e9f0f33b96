package kc.passes.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Value;

/**
 * A fixed-order program of rules (Calcite's HepPlanner): sweeps the nodes in graph order, trying the rules in order
 * at each node and applying the first rewrite that matches, until a sweep changes nothing; then drops the nodes
 * nothing reads. Forwarded values are substituted as later nodes are visited, so graph order stays topological.
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
        List<Node> nodes = new ArrayList<>(g.nodes());
        Map<Integer, Value> forwarded = new HashMap<>();
        Map<Node, Object> alikeCache = new java.util.IdentityHashMap<>(); // unchanged nodes are the same objects sweep to sweep
        int[] lastId = {maxId(g)};
        Map<Integer, Node> pending = new HashMap<>(); // Replace.later, by result id
        for (int sweep = 0; ; sweep++) {
            if (sweep == MAX_SWEEPS) throw new IllegalStateException("rule program " + name + " did not settle after " + MAX_SWEEPS + " sweeps");
            Context ctx = new Context(nodes, outputs(g, forwarded), policy, alikeCache, lastId);
            boolean changed = false;
            List<Node> next = new ArrayList<>(nodes.size());
            for (Node n : nodes) {
                Node later = pending.remove(n.result().id());
                if (later != null) {
                    ctx.replaced(n, later);
                    n = later;
                }
                n = substitute(n, forwarded);
                Rewrite r = null;
                for (Rule rule : rules) if ((r = rule.apply(ctx, n)) != null) break;
                switch (r) {
                    case null -> next.add(n);
                    case Rewrite.Replace rep -> {
                        if (rep.node().result().id() != n.result().id())
                            throw new IllegalStateException("rule replaced " + n.result() + " by a node defining " + rep.node().result());
                        for (Node x : rep.inserted()) {
                            next.add(x);
                            ctx.added(x);
                        }
                        next.add(rep.node());
                        ctx.replaced(n, rep.node());
                        for (Node l : rep.later()) pending.put(l.result().id(), l);
                        changed = true;
                    }
                    case Rewrite.Forward f -> {
                        forwarded.put(n.result().id(), f.to());
                        changed = true;
                    }
                }
            }
            nodes = deadDropped(next, outputs(g, forwarded));
            if (!changed) break;
        }
        return new Graph(g.name(), g.inputs(), g.params(), nodes, outputs(g, forwarded));
    }

    private static int maxId(Graph g) {
        int max = 0;
        for (Value v : g.inputs()) max = Math.max(max, v.id());
        for (Value v : g.params()) max = Math.max(max, v.id());
        for (Node n : g.nodes()) max = Math.max(max, n.result().id());
        return max;
    }

    private static Value resolve(Value v, Map<Integer, Value> forwarded) {
        Value to = forwarded.get(v.id());
        while (to != null) { v = to; to = forwarded.get(v.id()); }
        return v;
    }

    private static List<Value> outputs(Graph g, Map<Integer, Value> forwarded) {
        List<Value> out = new ArrayList<>(g.outputs().size());
        for (Value v : g.outputs()) out.add(resolve(v, forwarded));
        return out;
    }

    private static Node substitute(Node n, Map<Integer, Value> forwarded) {
        if (forwarded.isEmpty()) return n;
        boolean any = false;
        for (Value v : n.operands()) any |= forwarded.containsKey(v.id());
        if (!any) return n;
        List<Value> ops = new ArrayList<>(n.operands().size());
        for (Value v : n.operands()) ops.add(resolve(v, forwarded));
        return new Node(n.result(), n.op(), ops, n.origin(), n.absorbed());
    }

    /** The nodes whose results an output needs, in order (one backward pass). */
    private static List<Node> deadDropped(List<Node> nodes, List<Value> outputs) {
        Set<Integer> live = new HashSet<>();
        for (Value v : outputs) live.add(v.id());
        boolean[] keep = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!live.contains(n.result().id())) continue;
            keep[i] = true;
            for (Value v : n.operands()) live.add(v.id());
        }
        List<Node> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) if (keep[i]) out.add(nodes.get(i));
        return out;
    }

    /** Definers and users as of the sweep's start, kept current for the nodes replaced during the sweep. */
    private static final class Context implements RuleContext {
        private final Map<Integer, Node> definers = new HashMap<>();
        /** Per value, its readers by result id: a weight read at every step of an unrolled RNN has thousands. */
        private final Map<Integer, Map<Integer, Node>> users = new HashMap<>();
        private final Set<Integer> outputs = new HashSet<>();
        private final FusionPolicy policy;
        private final Map<Alike, Node> firstAlike = new HashMap<>();
        private final Map<Integer, Integer> position = new HashMap<>();

        /** What makes two nodes compute the same value (the hash computed once: ops of fused nodes are big trees). */
        private record Alike(kc.ir.graph.Op op, List<Integer> operands, kc.ir.graph.TensorType type, int hash) {
            Alike(kc.ir.graph.Op op, List<Integer> operands, kc.ir.graph.TensorType type) {
                this(op, operands, type, (op.hashCode() * 31 + operands.hashCode()) * 31 + type.hashCode());
            }
            @Override public boolean equals(Object o) {
                return o instanceof Alike a && hash == a.hash && operands.equals(a.operands) && type.equals(a.type) && op.equals(a.op);
            }
            @Override public int hashCode() { return hash; }
        }

        private Alike alike(Node n) {
            return (Alike) alikeCache.computeIfAbsent(n, Context::alikeOf);
        }

        private static Alike alikeOf(Node n) {
            List<Integer> ids = new ArrayList<>(n.operands().size());
            for (Value v : n.operands()) ids.add(v.id());
            return new Alike(n.op(), ids, n.result().type());
        }

        private final List<Node> nodes;
        private boolean usersBuilt, alikeBuilt;

        private final Map<Node, Object> alikeCache;

        private final int[] lastId;

        Context(List<Node> nodes, List<Value> outs, FusionPolicy policy, Map<Node, Object> alikeCache, int[] lastId) {
            this.lastId = lastId;
            this.policy = policy;
            this.alikeCache = alikeCache;
            this.nodes = nodes;
            for (Value v : outs) outputs.add(v.id());
            for (Node n : nodes) definers.put(n.result().id(), n);
        }

        /** Readers are counted only for programs whose rules ask (fusion): canonicalisation sweeps 100k-node RNNs. */
        private void buildUsers() {
            if (usersBuilt) return;
            usersBuilt = true;
            for (Node n : nodes)
                for (Value v : n.operands()) users.computeIfAbsent(v.id(), k -> new java.util.LinkedHashMap<>(4)).put(n.result().id(), n);
        }

        private void buildAlike() {
            if (alikeBuilt) return;
            alikeBuilt = true;
            for (Node n : nodes) {
                position.put(n.result().id(), position.size());
                firstAlike.putIfAbsent(alike(n), n);
            }
        }

        void added(Node now) {
            definers.put(now.result().id(), now);
            if (usersBuilt)
                for (Value v : now.operands()) users.computeIfAbsent(v.id(), k -> new java.util.LinkedHashMap<>(4)).put(now.result().id(), now);
        }

        @Override public int freshId() { return ++lastId[0]; }

        void replaced(Node old, Node now) {
            definers.put(now.result().id(), now);
            if (!usersBuilt) return;
            for (Value v : old.operands()) {
                Map<Integer, Node> us = users.get(v.id());
                if (us != null) us.remove(old.result().id());
            }
            for (Value v : now.operands()) users.computeIfAbsent(v.id(), k -> new java.util.LinkedHashMap<>(4)).put(now.result().id(), now);
        }

        @Override public Node definer(Value v) { return definers.get(v.id()); }
        @Override public int userCount(Value v) {
            buildUsers();
            Map<Integer, Node> us = users.get(v.id());
            return us == null ? 0 : us.size();
        }

        @Override public List<Node> users(Value v) {
            buildUsers();
            Map<Integer, Node> us = users.get(v.id());
            return us == null ? List.of() : List.copyOf(us.values());
        }
        @Override public boolean isOutput(Value v) { return outputs.contains(v.id()); }
        @Override public Node earlierAlike(Node n) {
            buildAlike();
            Node first = firstAlike.get(alike(n));
            if (first == null || first.result().id() == n.result().id()) return null;
            Integer at = position.get(first.result().id()), mine = position.get(n.result().id());
            return at != null && mine != null && at < mine ? first : null;
        }

        @Override public boolean mayFuse(Node a, Node b) { return policy.allows(a, b); }
    }
}
