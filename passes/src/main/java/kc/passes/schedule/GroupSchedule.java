package kc.passes.schedule;

import java.util.List;

/**
 * How one fusion group runs. A group is one node of the fused graph (the anchor, with the producers inlined into
 * it and the consumers fused into its epilogue); its name is stable across size changes and edits elsewhere in the
 * file (see {@link GroupNames}), so a schedule written for one instance of a model applies to another.
 *
 * @param name         the group's name (the anchor's origin, e.g. {@code linear1}, {@code softmax#1},
 *                     {@code softmax#1:2} for the second group of one composite)
 * @param members      the origins fused into the group, the anchor's first; a schedule that lists them decides the
 *                     fusion, one that omits them leaves it to the heuristics
 * @param strategy     how outputs map onto threads
 * @param threads      threads per block
 * @param items        POINTWISE: items per thread (an item is {@code vector} outputs), one grid apart (a grid-stride
 *                     loop), so a grid can be sized in waves of the GPU
 * @param vector       POINTWISE: consecutive outputs per thread, read and written with one access each (2 or 4:
 *                     8- or 16-byte loads and stores for fp32); see {@link VectorAccess} for when that is legal
 * @param accumulation how float sums accumulate
 * @param splits       GRID: blocks sharing one output's reduction (1 otherwise)
 */
public record GroupSchedule(String name, List<String> members, Strategy strategy, int threads, int items, int vector,
                            Accumulation accumulation, int splits) {
    public GroupSchedule { members = List.copyOf(members); }

    public GroupSchedule withName(String n) { return new GroupSchedule(n, members, strategy, threads, items, vector, accumulation, splits); }
    public GroupSchedule withStrategy(Strategy s) { return new GroupSchedule(name, members, s, threads, items, vector, accumulation, splits); }
    public GroupSchedule withThreads(int t) { return new GroupSchedule(name, members, strategy, t, items, vector, accumulation, splits); }
    public GroupSchedule withItems(int i) { return new GroupSchedule(name, members, strategy, threads, i, vector, accumulation, splits); }
    public GroupSchedule withVector(int v) { return new GroupSchedule(name, members, strategy, threads, items, v, accumulation, splits); }
    public GroupSchedule withAccumulation(Accumulation a) { return new GroupSchedule(name, members, strategy, threads, items, vector, a, splits); }
    public GroupSchedule withSplits(int s) { return new GroupSchedule(name, members, strategy, threads, items, vector, accumulation, s); }
    public GroupSchedule withMembers(List<String> m) { return new GroupSchedule(name, m, strategy, threads, items, vector, accumulation, splits); }
}
