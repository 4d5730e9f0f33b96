package kc.ir.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a {@link Graph} incrementally, handing out value ids. Not thread-safe; the built graph is immutable. */
public final class GraphBuilder {
    private final String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> params = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Set<Value> placeholders = new java.util.LinkedHashSet<>(); // in creation order
    private int nextId;
    /** Result types are immutable and few: nodes share them (100k-node graphs held as many copies). */
    private final Map<TensorType, TensorType> types = new HashMap<>();

    public GraphBuilder(String name) { this.name = name; }

    public Value input(String name, TensorType type) {
        Value v = new Value(nextId++, type, name);
        inputs.add(v);
        return v;
    }

    /** A parameter or buffer, named by its state_dict key. */
    public Value param(String stateDictKey, TensorType type) {
        Value v = new Value(nextId++, type, stateDictKey);
        params.add(v);
        return v;
    }

    public Value add(Op op, List<Value> operands, TensorType resultType, Origin origin) {
        Value v = new Value(nextId++, types.computeIfAbsent(resultType, t -> t), null);
        nodes.add(new Node(v, op, operands, origin));
        return v;
    }

    /**
     * A tensor whose contents are unknown at compile time (torch.rand in get_inputs or __init__). It must be cut
     * away by {@link #build}: replaced by an input or a parameter, or be dead; otherwise build fails.
     */
    public Value placeholder(TensorType type, String description) {
        Value v = new Value(nextId++, type, description);
        placeholders.add(v);
        return v;
    }

    public int nodeCount() { return nodes.size(); }

    /** The placeholders created so far, in creation order. */
    public List<Value> placeholders() { return List.copyOf(placeholders); }

    /** The node defining v, or null for inputs, parameters and placeholders. */
    public Node definingNode(Value v) {
        for (int i = nodes.size() - 1; i >= 0; i--) if (nodes.get(i).result().equals(v)) return nodes.get(i);
        return null;
    }

    /** Builds with the inputs and parameters created so far and no placeholders. */
    public Graph build(List<Value> outputs) {
        if (!placeholders.isEmpty()) return build(Map.of(), Map.of(), outputs);
        return new Graph(name, inputs, params, nodes, outputs);
    }

    /**
     * Builds the final graph by cutting: every value in {@code asInputs} (in order, named by its key) becomes a
     * fresh graph input and every value in {@code asParams} a fresh parameter named by its state_dict key; their
     * defining computations are dropped. Nodes not needed by the outputs are removed.
     *
     * @throws IllegalStateException naming the placeholder when an output still depends on one
     */
    public Graph build(Map<String, Value> asInputs, Map<String, Value> asParams, List<Value> outputs) {
        // Value ids are dense (this builder hands them out), so the walk uses arrays indexed by id: big traced
        // graphs (100k nodes from unrolled RNNs) spent most of their build time hashing Values.
        int originals = nextId;
        Value[] cut = new Value[originals];
        List<Value> newInputs = new ArrayList<>(inputs);
        List<Value> newParams = new ArrayList<>(params);
        for (var e : asInputs.entrySet()) {
            Value fresh = new Value(nextId++, e.getValue().type(), e.getKey());
            cut[e.getValue().id()] = fresh;
            newInputs.add(fresh);
        }
        for (var e : asParams.entrySet()) {
            if (cut[e.getValue().id()] != null) continue; // tied weights: one value under two keys keeps the first
            Value fresh = new Value(nextId++, e.getValue().type(), e.getKey());
            cut[e.getValue().id()] = fresh;
            newParams.add(fresh);
        }
        // Keep only what the outputs need: one backward pass, as nodes are in definition order.
        boolean[] needed = new boolean[nextId];
        for (Value o : outputs) needed[resolve(cut, o).id()] = true;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (needed[n.result().id()]) for (Value o : n.operands()) needed[resolve(cut, o).id()] = true;
        }
        for (Value p : placeholders) if (needed[p.id()]) throw new IllegalStateException(
                "the result depends on " + firstNeededPlaceholder(cut, outputs).name() + ", which is neither an input nor a parameter");
        List<Node> kept = new ArrayList<>();
        for (Node n : nodes) {
            if (!needed[n.result().id()]) continue;
            boolean rewired = false;
            for (Value o : n.operands()) if (resolve(cut, o) != o) { rewired = true; break; }
            if (!rewired) { kept.add(n); continue; } // nodes are immutable: reuse them as they are
            List<Value> ops = new ArrayList<>(n.operands().size());
            for (Value o : n.operands()) ops.add(resolve(cut, o));
            kept.add(new Node(n.result(), n.op(), ops, n.origin()));
        }
        newParams.removeIf(p -> !needed[p.id()]);
        List<Value> outs = new ArrayList<>(outputs.size());
        for (Value o : outputs) outs.add(resolve(cut, o));
        return new Graph(name, newInputs, newParams, kept, outs);
    }

    /** The placeholder a breadth-first walk from the outputs meets first: the one the error names. */
    private Value firstNeededPlaceholder(Value[] cut, List<Value> outputs) {
        Node[] byResult = new Node[cut.length];
        for (Node n : nodes) byResult[n.result().id()] = n;
        boolean[] seen = new boolean[nextId];
        ArrayDeque<Value> work = new ArrayDeque<>();
        for (Value o : outputs) work.add(resolve(cut, o));
        while (!work.isEmpty()) {
            Value v = work.pop();
            if (seen[v.id()]) continue;
            seen[v.id()] = true;
            if (placeholders.contains(v)) return v;
            Node n = v.id() < byResult.length ? byResult[v.id()] : null;
            if (n != null) for (Value o : n.operands()) work.add(resolve(cut, o));
        }
        throw new IllegalStateException("no placeholder is needed");
    }

    private static Value resolve(Value[] cut, Value v) {
        Value c = v.id() < cut.length ? cut[v.id()] : null;
        return c != null ? c : v;
    }
}
