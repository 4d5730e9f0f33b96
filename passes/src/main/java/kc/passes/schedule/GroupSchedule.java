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
 *                     8- or 16-byte loads and stores for fp32); WARP, BLOCK, GRID and row kernels: consecutive
 *                     terms of the innermost reduction dim a lane reads with one access per operand; see
 *                     {@link VectorAccess} for when either is legal
 * @param accumulation how float sums accumulate
 * @param splits       GRID: blocks sharing one output's reduction (1 otherwise)
 * @param tiles        TILE: the block tile, the reduction step and each thread's outputs (null otherwise)
 */
public record GroupSchedule(String name, List<String> members, Strategy strategy, int threads, int items, int vector,
                            Accumulation accumulation, int splits, Tiles tiles) {
    public GroupSchedule { members = List.copyOf(members); }

    public GroupSchedule(String name, List<String> members, Strategy strategy, int threads, int items, int vector,
                         Accumulation accumulation, int splits) {
        this(name, members, strategy, threads, items, vector, accumulation, splits, null);
    }

    public GroupSchedule withName(String n) { return new GroupSchedule(n, members, strategy, threads, items, vector, accumulation, splits, tiles); }
    /** Strategy s; a vector width is dropped when s is another strategy (it means outputs for pointwise, terms for the others). */
    public GroupSchedule withStrategy(Strategy s) {
        return new GroupSchedule(name, members, s, threads, items, s == strategy ? vector : 1, accumulation, splits, s == Strategy.TILE ? tiles : null);
    }
    public GroupSchedule withThreads(int t) { return new GroupSchedule(name, members, strategy, t, items, vector, accumulation, splits, tiles); }
    public GroupSchedule withItems(int i) { return new GroupSchedule(name, members, strategy, threads, i, vector, accumulation, splits, tiles); }
    public GroupSchedule withVector(int v) { return new GroupSchedule(name, members, strategy, threads, items, v, accumulation, splits, tiles); }
    public GroupSchedule withAccumulation(Accumulation a) { return new GroupSchedule(name, members, strategy, threads, items, vector, a, splits, tiles); }
    public GroupSchedule withSplits(int s) { return new GroupSchedule(name, members, strategy, threads, items, vector, accumulation, s, tiles); }
    /**
     * Strategy TILE with these tiles (and the threads they take; items, vector and split, which TILE has no use for,
     * back to 1), or with null the strategy unchanged and no tiles.
     */
    public GroupSchedule withTiles(Tiles t) {
        if (t == null) return new GroupSchedule(name, members, strategy, threads, items, vector, accumulation, splits, null);
        return new GroupSchedule(name, members, Strategy.TILE, t.threads(), 1, 1, accumulation, 1, t);
    }
    public GroupSchedule withMembers(List<String> m) { return new GroupSchedule(name, m, strategy, threads, items, vector, accumulation, splits, tiles); }
}
