package kc.passes.schedule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;

/**
 * Stable names for fusion groups and their members, from where nodes came from rather than graph ids, so a schedule
 * survives {@code -D} size changes and edits elsewhere in the file.
 * <ul>
 *   <li>An origin in a module call (the composite is the module's class, CamelCase by PyTorch's convention) is named
 *       by its module path: {@code linear1}, {@code blocks.0.attn.c_proj}.</li>
 *   <li>A functional composite is named by its kind and its ordinal among the calls of that kind in the same module:
 *       {@code softmax#1}, {@code blocks.0.attn/softmax#2}. The ordinal counts in graph order within the module, so
 *       adding a call in another module changes nothing here.</li>
 *   <li>A group is named by its anchor's origin; when one origin anchors several groups (a softmax is a max, a sum
 *       and a division), the second and later are {@code softmax#1:2}, {@code softmax#1:3}.</li>
 * </ul>
 */
public final class GroupNames {
    /**
     * The names of the graph named last. One compile asks for the same graph's names in several places (the
     * scheduler, legality, lowering, the cost model), and naming the 100k nodes of an unrolled RNN takes a few
     * hundred milliseconds each time. Immutable once built, so threads may share it.
     */
    private static volatile GroupNames last;

    private final Graph graph;
    private final Map<Origin, String> originNames = new HashMap<>();
    private final Map<Integer, String> groupNames = new HashMap<>();
    private final List<Node> groups;

    private GroupNames(Graph g) {
        graph = g;
        List<Node> groupNodes = new ArrayList<>();
        // Ordinals rank the instances of one kind in one module by the frontend's instance number (its trace order),
        // not by graph position: fusion moves nodes, and the names must not change with it.
        Map<String, java.util.TreeSet<Integer>> instances = new HashMap<>();
        for (Node n : g.nodes()) {
            collect(n.origin(), instances);
            for (Origin o : n.absorbed()) collect(o, instances);
        }
        for (Node n : g.nodes()) {
            name(n.origin(), instances);
            for (Origin o : n.absorbed()) name(o, instances);
        }
        Map<String, Integer> anchored = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Constant) continue;
            String base = originNames.get(key(n.origin()));
            int k = anchored.merge(base, 1, Integer::sum);
            groupNames.put(n.result().id(), k == 1 ? base : base + ":" + k);
            groupNodes.add(n);
        }
        groups = Collections.unmodifiableList(groupNodes);
    }

    public static GroupNames of(Graph g) {
        GroupNames names = last;
        if (names == null || names.graph != g) last = names = new GroupNames(g); // graphs are immutable: same graph, same names
        return names;
    }

    /** The group a (non-constant) node anchors, by its result id. */
    public String group(Node n) { return groupNames.get(n.result().id()); }

    /** The non-constant nodes, in graph order: one group each. */
    public List<Node> groupNodes() { return groups; }

    /** The name of an origin, as member lists print it. */
    public String origin(Origin o) { return originNames.get(key(o)); }

    /** The members of a node's group: its anchor's origin, then the absorbed ones, each once. */
    public List<String> members(Node n) {
        LinkedHashSet<String> m = new LinkedHashSet<>();
        m.add(origin(n.origin()));
        for (Origin o : n.absorbed()) m.add(origin(o));
        return List.copyOf(m);
    }

    /** Origins are equal by what they say, less the source position's column drift: composite, instance, module. */
    private static Origin key(Origin o) {
        Origin x = o == null ? Origin.NONE : o;
        return new Origin(x.composite(), x.instance(), x.module(), null);
    }

    private static String kind(Origin k) {
        return (k.module() == null ? "" : k.module()) + "/" + (k.composite() == null || k.composite().isEmpty() ? "op" : k.composite());
    }

    private final Map<String, Map<Integer, Integer>> ranks = new HashMap<>();

    /** 1 for the smallest instance number, 2 for the next... */
    private static Map<Integer, Integer> rank(java.util.TreeSet<Integer> sorted) {
        Map<Integer, Integer> r = new HashMap<>(2 * sorted.size());
        for (int i : sorted) r.put(i, r.size() + 1);
        return r;
    }

    private static void collect(Origin o, Map<String, java.util.TreeSet<Integer>> instances) {
        Origin k = key(o);
        instances.computeIfAbsent(kind(k), x -> new java.util.TreeSet<>()).add(k.instance());
    }

    private void name(Origin o, Map<String, java.util.TreeSet<Integer>> instances) {
        Origin k = key(o);
        if (originNames.containsKey(k)) return;
        String module = k.module() == null ? "" : k.module();
        String composite = k.composite() == null || k.composite().isEmpty() ? "op" : k.composite();
        String name;
        module = sanitize(module); // a ModuleDict key may hold any character; names are one token of the language
        if (!module.isEmpty() && Character.isUpperCase(composite.charAt(0))) {
            name = module;
        } else {
            int ordinal = ranks.computeIfAbsent(kind(k), x -> rank(instances.get(x))).get(k.instance());
            name = (module.isEmpty() ? "" : module + "/") + sanitize(composite) + "#" + ordinal;
        }
        originNames.put(k, name);
    }

    /** Names are one token of the schedule language: letters, digits and _ . # / : only. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return b.toString();
    }
}
