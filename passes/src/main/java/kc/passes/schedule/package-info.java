/**
 * Schedules: for each kernel, which Graph nodes it computes and how (strategy, block size, tiling parameters),
 * the default heuristic scheduler and the legality checks the lowering relies on.
 */
package kc.passes.schedule;
