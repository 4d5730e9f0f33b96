package kc.passes.schedule;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * A set of value ids: bits for the small dense ids GraphBuilder hands out (no boxing, no hashing: schedules of
 * unrolled RNNs check 100k kernels), a hash set for any others.
 */
final class IdSet {
    private final int denseLimit;
    private final BitSet dense = new BitSet();
    private final Set<Integer> other = new HashSet<>();

    /** @param denseLimit ids in [0, denseLimit) are kept as bits */
    IdSet(int denseLimit) { this.denseLimit = denseLimit; }

    /** Adds id; false when it was there already. */
    boolean add(int id) {
        if (id < 0 || id >= denseLimit) return other.add(id);
        if (dense.get(id)) return false;
        dense.set(id);
        return true;
    }

    boolean contains(int id) { return id >= 0 && id < denseLimit ? dense.get(id) : other.contains(id); }
}
