package kc.passes.schedule;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a fused graph becomes kernels: a {@link GroupSchedule} per fusion group, by name. Kernels launch in graph
 * order whatever the order here; a schedule may name only some groups (a partial schedule; the rest get the
 * defaults, see {@link DefaultScheduler#complete}). Its precision bounds what every group may do (null in a schedule
 * that leaves it to the command line; a completed schedule always has one).
 */
public record Schedule(Precision precision, List<GroupSchedule> groups) {
    public Schedule { groups = List.copyOf(groups); }

    public Schedule(List<GroupSchedule> groups) { this(null, groups); }

    public static final Schedule EMPTY = new Schedule(List.of());

    /** The precision, kc's default where the schedule leaves it open. */
    public Precision precisionOrDefault() { return precision == null ? Precision.DEFAULT : precision; }

    public Schedule withPrecision(Precision p) { return new Schedule(p, groups); }

    /** The groups by name (a later group of the same name wins; the parser rejects duplicates before this). */
    public Map<String, GroupSchedule> byName() {
        Map<String, GroupSchedule> m = new LinkedHashMap<>();
        for (GroupSchedule g : groups) m.put(g.name(), g);
        return m;
    }

    public GroupSchedule group(String name) { return byName().get(name); }

    /** This schedule with group {@code g} in place of the group of its name (added at the end when there is none). */
    public Schedule with(GroupSchedule g) {
        List<GroupSchedule> out = new java.util.ArrayList<>(groups);
        boolean replaced = false;
        for (int i = 0; i < out.size(); i++) if (out.get(i).name().equals(g.name())) { out.set(i, g); replaced = true; }
        if (!replaced) out.add(g);
        return new Schedule(precision, out);
    }
}
