package kc.passes.schedule;

import java.util.List;

/**
 * One kernel of a schedule.
 *
 * @param name            the kernel's name (a C identifier)
 * @param nodes           ids of the Graph values (node results) the kernel computes, in order; the last is the
 *                        one it stores (a group of more than one node is a fusion, lowered in a later issue)
 * @param strategy        how work maps onto threads
 * @param threadsPerBlock threads of one block (a multiple of 32 for BLOCK_REDUCE)
 * @param tiling          tiling parameters (TILED), {@link Tiling#NONE} otherwise
 */
public record KernelSchedule(String name, List<Integer> nodes, Strategy strategy, int threadsPerBlock, Tiling tiling) {
    public KernelSchedule { nodes = List.copyOf(nodes); }

    /** The node whose result the kernel stores. */
    public int root() { return nodes.get(nodes.size() - 1); }
}
