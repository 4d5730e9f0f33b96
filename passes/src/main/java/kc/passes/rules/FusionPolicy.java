package kc.passes.rules;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Origin;
import kc.passes.schedule.GroupNames;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;

/**
 * Which fusions a schedule allows. Without directives the heuristics decide alone. A schedule's group lists its
 * members by origin name; two nodes may fuse only if no origin of theirs is mentioned by any group, or some group
 * lists all of their origins. So an expert splits a group apart by leaving a member out; the fusion rules' own
 * conditions (legality, recompute limits) still apply to what is allowed.
 */
public interface FusionPolicy {
    boolean allows(Node a, Node b);

    FusionPolicy HEURISTIC = (a, b) -> true;

    /** The policy of a schedule's member lists, with origins named as in the graph about to be fused. */
    static FusionPolicy of(Graph g, Schedule directives) {
        if (directives.groups().stream().allMatch(s -> s.members().isEmpty())) return HEURISTIC;
        GroupNames names = GroupNames.of(g);
        Map<String, Integer> mentions = new HashMap<>();
        List<Set<String>> groups = directives.groups().stream().map(s -> Set.copyOf(s.members())).toList();
        for (GroupSchedule s : directives.groups()) for (String m : s.members()) mentions.merge(m, 1, Integer::sum);
        return (a, b) -> {
            Set<String> origins = new LinkedHashSet<>();
            for (Node n : List.of(a, b)) {
                origins.add(names.origin(n.origin()));
                for (Origin o : n.absorbed()) origins.add(names.origin(o));
            }
            if (origins.stream().noneMatch(mentions::containsKey)) return true;
            for (Set<String> members : groups) if (members.containsAll(origins)) return true;
            return false;
        };
    }
}
