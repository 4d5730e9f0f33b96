package kc.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.ir.graph.Graph;
import kc.ir.graph.GraphPrinter;
import kc.ir.graph.Node;
import kc.ir.graph.Value;
import kc.passes.cost.MachineModel;
import kc.passes.rules.FusionPolicy;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;
import kc.passes.rules.RuleProgram;
import kc.passes.rules.Rules;
import kc.passes.rules.canonical.DropNeutralOperations;
import kc.passes.rules.canonical.ForwardCopy;
import kc.passes.rules.canonical.ShareCommonSubexpression;
import kc.passes.rules.fusion.FuseEpilogue;
import kc.passes.rules.fusion.FuseStatistics;
import kc.passes.rules.fusion.InlineProducer;
import kc.runtime.Diagnostic;

/**
 * {@link RuleProgram} keeps its context from sweep to sweep and tries a node again only when what its rules asked
 * about changed. It must give exactly what the plain program gives, which rebuilds its context every sweep and tries
 * every node: checked on every KernelBench problem's graph, for the pipeline's programs and for two that mix
 * forwarding (so substituted nodes) and inserted nodes with questions about readers.
 */
class RuleProgramEquivalenceTest {
    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");

    static final List<RuleProgram> MIXED = List.of(
            new RuleProgram("everything", List.of(DropNeutralOperations.INSTANCE, ForwardCopy.INSTANCE,
                    ShareCommonSubexpression.INSTANCE, InlineProducer.VIEWS, FuseEpilogue.INSTANCE, InlineProducer.PRODUCERS,
                    FuseStatistics.INSTANCE)),
            new RuleProgram("fusion-first", List.of(FuseStatistics.INSTANCE, InlineProducer.PRODUCERS, ShareCommonSubexpression.INSTANCE,
                    FuseEpilogue.INSTANCE, ForwardCopy.INSTANCE, InlineProducer.VIEWS, DropNeutralOperations.INSTANCE)));

    @Test void sameAsThePlainProgramOnKernelBench() throws IOException { check(20_000); }

    @Tag("sweep") // the unrolled RNNs: 100k nodes, and the plain program takes seconds on each
    @Test void sameAsThePlainProgramOnTheLargestGraphs() throws IOException { check(Integer.MAX_VALUE); }

    private static void check(int maxNodes) throws IOException {
        assumeTrue(Files.isDirectory(ROOT.resolve("level1")), "../shared/kernelbench is absent: skipped");
        List<Path> problems;
        try (Stream<Path> s = Files.walk(ROOT, 2)) { problems = s.filter(p -> p.toString().endsWith(".py")).sorted().toList(); }
        int checked = 0;
        for (Path p : problems) {
            Graph g;
            try {
                g = Pipeline.run(Pipeline.Input.of(p, Map.of(), MachineModel.SM_90), Stage.VERIFY).graph(Stage.VERIFY);
            } catch (Diagnostic e) {
                continue; // a problem kc does not evaluate: nothing for the rules here
            }
            if (g.nodes().size() > maxNodes) continue;
            Graph canonical = Rules.CANONICALISE.run(g);
            same(p, Rules.CANONICALISE, g);
            same(p, Rules.FUSE, canonical);
            same(p, Rules.ROWS, Rules.FUSE.run(canonical));
            for (RuleProgram mixed : MIXED) same(p, mixed, g);
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " problems evaluated");
    }

    private static void same(Path problem, RuleProgram program, Graph g) {
        Graph incremental = program.run(g), plain = Plain.run(program, g);
        if (!incremental.equals(plain))
            assertEquals(GraphPrinter.print(plain, true), GraphPrinter.print(incremental, true), program.name() + " on " + problem);
    }

    /** The program as first written: its context rebuilt at each sweep's start, every node tried at every sweep. */
    static final class Plain {
        static Graph run(RuleProgram program, Graph g) {
            List<Node> nodes = new ArrayList<>(g.nodes());
            Map<Integer, Value> forwarded = new HashMap<>();
            Map<Integer, Node> pending = new HashMap<>();
            int[] lastId = {0};
            for (Value v : g.inputs()) lastId[0] = Math.max(lastId[0], v.id());
            for (Value v : g.params()) lastId[0] = Math.max(lastId[0], v.id());
            for (Node n : g.nodes()) lastId[0] = Math.max(lastId[0], n.result().id());
            for (int sweep = 0; ; sweep++) {
                if (sweep == 64) throw new IllegalStateException(program.name() + " did not settle");
                Context ctx = new Context(nodes, outputs(g, forwarded), lastId);
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
                    for (Rule rule : program.rules()) if ((r = rule.apply(ctx, n)) != null) break;
                    switch (r) {
                        case null -> next.add(n);
                        case Rewrite.Replace rep -> {
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
                nodes = live(next, outputs(g, forwarded));
                if (!changed) return new Graph(g.name(), g.inputs(), g.params(), nodes, outputs(g, forwarded));
            }
        }

        private static Value resolve(Value v, Map<Integer, Value> forwarded) {
            for (Value to = forwarded.get(v.id()); to != null; to = forwarded.get(v.id())) v = to;
            return v;
        }

        private static List<Value> outputs(Graph g, Map<Integer, Value> forwarded) {
            return g.outputs().stream().map(v -> resolve(v, forwarded)).toList();
        }

        private static Node substitute(Node n, Map<Integer, Value> forwarded) {
            if (n.operands().stream().noneMatch(v -> forwarded.containsKey(v.id()))) return n;
            return new Node(n.result(), n.op(), n.operands().stream().map(v -> resolve(v, forwarded)).toList(), n.origin(), n.absorbed());
        }

        private static List<Node> live(List<Node> nodes, List<Value> outputs) {
            Set<Integer> live = new HashSet<>();
            for (Value v : outputs) live.add(v.id());
            boolean[] keep = new boolean[nodes.size()];
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (!live.contains(n.result().id())) continue;
                keep[i] = true;
                for (Value v : n.operands()) live.add(v.id());
            }
            List<Node> kept = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) if (keep[i]) kept.add(nodes.get(i));
            return kept;
        }

        /** Definers, outputs and alike nodes as of the sweep's start; readers from the first question about them. */
        private static final class Context implements RuleContext {
            private final List<Node> nodes;
            private final Map<Integer, Node> definers = new HashMap<>();
            private final Set<Integer> outputs = new HashSet<>();
            private Map<Integer, Map<Integer, Node>> users;
            private Map<List<Object>, Node> firstAlike;
            private final Map<Integer, Integer> position = new HashMap<>();

            private final int[] lastId;

            Context(List<Node> nodes, List<Value> outs, int[] lastId) {
                this.nodes = nodes;
                this.lastId = lastId;
                for (Value v : outs) outputs.add(v.id());
                for (Node n : nodes) definers.put(n.result().id(), n);
            }

            void added(Node now) {
                definers.put(now.result().id(), now);
                if (users != null) for (Value v : now.operands()) users.computeIfAbsent(v.id(), k -> new LinkedHashMap<>()).put(now.result().id(), now);
            }

            void replaced(Node old, Node now) {
                definers.put(now.result().id(), now);
                if (users == null) return;
                for (Value v : old.operands()) if (users.containsKey(v.id())) users.get(v.id()).remove(old.result().id());
                for (Value v : now.operands()) users.computeIfAbsent(v.id(), k -> new LinkedHashMap<>()).put(now.result().id(), now);
            }

            private Map<Integer, Map<Integer, Node>> users() {
                if (users == null) {
                    users = new HashMap<>();
                    for (Node n : nodes) for (Value v : n.operands()) users.computeIfAbsent(v.id(), k -> new LinkedHashMap<>()).put(n.result().id(), n);
                }
                return users;
            }

            private static List<Object> alike(Node n) { return List.of(n.op(), n.operands().stream().map(Value::id).toList(), n.result().type()); }

            @Override public Node definer(Value v) { return definers.get(v.id()); }
            @Override public List<Node> users(Value v) { return List.copyOf(users().getOrDefault(v.id(), Map.of()).values()); }
            @Override public int userCount(Value v) { return users().getOrDefault(v.id(), Map.of()).size(); }
            @Override public boolean isOutput(Value v) { return outputs.contains(v.id()); }
            @Override public boolean mayFuse(Node a, Node b) { return FusionPolicy.HEURISTIC.allows(a, b); }
            @Override public int freshId() { return ++lastId[0]; }

            @Override public Node earlierAlike(Node n) {
                if (firstAlike == null) {
                    firstAlike = new HashMap<>();
                    for (Node m : nodes) {
                        position.put(m.result().id(), position.size());
                        firstAlike.putIfAbsent(alike(m), m);
                    }
                }
                Node first = firstAlike.get(alike(n));
                if (first == null || first.result().id() == n.result().id()) return null;
                return position.get(first.result().id()) < position.get(n.result().id()) ? first : null;
            }
        }
    }
}
