package kc.passes.schedule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.NodesById;
import kc.ir.graph.Op;
import kc.ir.graph.Value;

/**
 * Checks that a schedule is one the lowering can implement for a graph, with a precise reason per problem, e.g.
 * {@code kernel k3 (softmax#1): BLOCK_REDUCE needs a reduction; node %12 has none}.
 */
public final class ScheduleLegality {
    private ScheduleLegality() {}

    /** Hardware limit shared by every target kc supports. */
    public static final int MAX_THREADS_PER_BLOCK = 1024;

    public static List<String> check(Graph g, Schedule s) {
        List<String> errors = new ArrayList<>();
        NodesById byId = new NodesById(g);
        int denseIds = 4 * (g.inputs().size() + g.params().size() + g.nodes().size()) + 1024;
        IdSet available = new IdSet(denseIds);
        for (Value v : g.inputs()) available.add(v.id());
        for (Value v : g.params()) available.add(v.id());
        for (Node n : g.nodes()) if (n.op() instanceof Op.Constant) available.add(n.result().id());
        IdSet computed = new IdSet(denseIds);
        Set<String> names = HashSet.newHashSet(s.kernels().size()); // sized up front: 100k kernels rehashed a growing set
        for (KernelSchedule k : s.kernels()) {
            if (!isIdentifier(k.name())) errors.add(describe(k, byId) + ": the name is not an identifier");
            if (!names.add(k.name())) errors.add(describe(k, byId) + ": a second kernel of this name");
            if (k.nodes().isEmpty()) { errors.add(describe(k, byId) + ": computes no node"); continue; }
            if (k.nodes().size() > 1) errors.add(describe(k, byId) + ": groups of " + k.nodes().size() + " nodes (fusion) are not lowered yet");
            if (k.threadsPerBlock() < 1 || k.threadsPerBlock() > MAX_THREADS_PER_BLOCK)
                errors.add(describe(k, byId) + ": " + k.threadsPerBlock() + " threads per block, outside 1.." + MAX_THREADS_PER_BLOCK);
            for (int id : k.nodes()) {
                Node n = byId.get(id);
                if (n == null) { errors.add(describe(k, byId) + ": %" + id + " is not a node of graph " + g.name()); continue; }
                if (n.op() instanceof Op.Constant) { errors.add(describe(k, byId) + ": node %" + id + " is a constant; constants are buffers, not kernels"); continue; }
                if (!computed.add(id)) errors.add(describe(k, byId) + ": node %" + id + " is already computed by an earlier kernel");
                for (Value operand : n.operands())
                    if (!available.contains(operand.id()) && !k.nodes().contains(operand.id()))
                        errors.add(describe(k, byId) + ": node %" + id + " reads " + operand + " before any kernel computes it");
                String wrongStrategy = strategyError(k, n);
                if (wrongStrategy != null) errors.add(describe(k, byId) + ": " + wrongStrategy);
            }
            for (int id : k.nodes()) available.add(id);
        }
        for (Node n : g.nodes())
            if (!(n.op() instanceof Op.Constant) && !computed.contains(n.result().id()))
                errors.add("node " + n.result() + " (" + n.op().name() + ") is computed by no kernel");
        return errors;
    }

    /** Throws IllegalArgumentException with every reason when the schedule is illegal. */
    public static void require(Graph g, Schedule s) {
        List<String> errors = check(g, s);
        if (!errors.isEmpty()) throw new IllegalArgumentException("illegal schedule for " + g.name() + ":\n  " + String.join("\n  ", errors));
    }

    /** Why the kernel's strategy cannot compute node n, or null. */
    private static String strategyError(KernelSchedule k, Node n) {
        String e = switch (k.strategy()) {
            case POINTWISE -> n.op() instanceof Op.Generic ? null : "POINTWISE needs a generic op; " + node(n) + " is " + n.op().name();
            case BLOCK_REDUCE -> {
                if (!(n.op() instanceof Op.Generic gen)) yield "BLOCK_REDUCE needs a generic op; " + node(n) + " is " + n.op().name();
                if (gen.reduction() == Op.Reduction.NONE) yield "BLOCK_REDUCE needs a reduction; " + node(n) + " has none";
                if (k.threadsPerBlock() % 32 != 0) yield "BLOCK_REDUCE needs whole warps; " + k.threadsPerBlock() + " threads per block is not a multiple of 32";
                yield null;
            }
            case SCAN -> n.op() instanceof Op.Scan ? null : "SCAN needs a scan; " + node(n) + " is " + n.op().name();
            case TILED -> "TILED is not lowered yet (" + node(n) + ")";
        };
        return e;
    }

    /** [A-Za-z_][A-Za-z0-9_]*, by hand: a regex per kernel was slow for 100k kernels. */
    private static boolean isIdentifier(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
        }
        return true;
    }

    private static String node(Node n) { return "node " + n.result(); }

    /** "kernel k3 (softmax#1)": the kernel and the composite op its first node came from. */
    public static String describe(KernelSchedule k, NodesById byId) {
        Node n = k.nodes().isEmpty() ? null : byId.get(k.nodes().get(0));
        String origin = n == null || n.origin() == null || n.origin().composite().isEmpty() ? "" :
                " (" + n.origin().composite() + "#" + n.origin().instance() + ")";
        return "kernel " + k.name() + origin;
    }
}
