package kc.runtime.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.passes.cost.CostModel;

/**
 * One fusion group's share of a timed forward: its launches' time (each launch timed between CUDA events inside
 * the forward, after an L2 flush before the forward) against its own roofline floor. MEASURING.md's "within 2.5x of
 * its floor" is judged per contraction group on these.
 *
 * @param group       the group's name (its schedule's)
 * @param launches    its launches in one forward (a split reduction's two kernels, a loop's repeats)
 * @param ms          the median over trials of the sum of its launches' times
 * @param floorMs     the group's floor: its flops at its rate (a contraction's matrix units) and its bytes at the
 *                    copy bandwidth, whichever is longer
 * @param contraction whether the group is a contraction (the floor is at the precision's matrix-unit rate)
 */
public record GroupTime(String group, int launches, double ms, double floorMs, boolean contraction) {

    public double overFloor() { return floorMs > 0 ? ms / floorMs : Double.NaN; }

    /** As kc run's JSON and kc bench's report write it. */
    public Map<String, Object> toJson() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("group", group);
        e.put("launches", launches);
        e.put("ms", ms);
        e.put("floor_ms", floorMs);
        e.put("contraction", contraction);
        return e;
    }

    /** Read back from that JSON (a list of such objects); null where absent or malformed. */
    public static List<GroupTime> listFromJson(Object o) {
        if (!(o instanceof List<?> list)) return null;
        List<GroupTime> out = new ArrayList<>();
        for (Object x : list) {
            if (!(x instanceof Map<?, ?> m) || !(m.get("group") instanceof String g) || !(m.get("ms") instanceof Number ms)) return null;
            out.add(new GroupTime(g, m.get("launches") instanceof Number n ? n.intValue() : 1, ms.doubleValue(),
                    m.get("floor_ms") instanceof Number f ? f.doubleValue() : Double.NaN, Boolean.TRUE.equals(m.get("contraction"))));
        }
        return out;
    }

    /**
     * Per group, in the order of their first launch: {@code launchGroups.get(i)} is launch i's group and
     * {@code launchMs[t][i]} its time in trial t. A group's time is the median over trials of its launches' sum.
     */
    public static List<GroupTime> of(List<String> launchGroups, double[][] launchMs, CostModel.Estimate estimate) {
        Map<String, List<Integer>> launchesOf = new LinkedHashMap<>();
        for (int i = 0; i < launchGroups.size(); i++) launchesOf.computeIfAbsent(launchGroups.get(i), g -> new ArrayList<>()).add(i);
        Map<String, CostModel.KernelCost> costs = new LinkedHashMap<>();
        for (CostModel.KernelCost k : estimate.kernels()) costs.put(k.kernel(), k);
        List<GroupTime> out = new ArrayList<>();
        for (var e : launchesOf.entrySet()) {
            double[] sums = new double[launchMs.length];
            for (int t = 0; t < launchMs.length; t++)
                for (int i : e.getValue()) sums[t] += launchMs[t][i];
            CostModel.KernelCost cost = costs.get(e.getKey());
            out.add(new GroupTime(e.getKey(), e.getValue().size(), Timing.of(sums).medianMs(),
                    cost == null ? Double.NaN : cost.floorSeconds() * 1e3, cost != null && cost.contraction()));
        }
        return out;
    }
}
