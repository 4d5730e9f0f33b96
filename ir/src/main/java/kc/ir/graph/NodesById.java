package kc.ir.graph;

import java.util.HashMap;
import java.util.Map;

/**
 * A graph's nodes by result id. GraphBuilder hands out dense ids, so this is an array: passes look nodes up by id
 * for every kernel, and hashing boxed ids was a visible cost for the 100k nodes of unrolled RNNs. Graphs with
 * sparse ids (hand-built ones) fall back to a map.
 */
public final class NodesById {
    private final Node[] dense;
    private final Map<Integer, Node> sparse;

    public NodesById(Graph g) {
        int max = -1;
        boolean negative = false;
        for (Node n : g.nodes()) {
            max = Math.max(max, n.result().id());
            negative |= n.result().id() < 0;
        }
        if (!negative && max < 4L * g.nodes().size() + 1024) {
            dense = new Node[max + 1];
            for (Node n : g.nodes()) dense[n.result().id()] = n;
            sparse = null;
        } else {
            dense = null;
            sparse = new HashMap<>();
            for (Node n : g.nodes()) sparse.put(n.result().id(), n);
        }
    }

    /** The node whose result has this id, or null (inputs, parameters, unknown ids). */
    public Node get(int id) {
        if (dense == null) return sparse.get(id);
        return id >= 0 && id < dense.length ? dense[id] : null;
    }
}
