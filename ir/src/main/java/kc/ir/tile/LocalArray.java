package kc.ir.tile;

/**
 * A per-thread array (a micro-tile of accumulators, a fragment). Renderers keep it in registers when every index
 * is a constant after unrolling, and in local memory otherwise.
 */
public record LocalArray(String name, ScalarType elem, int length) {}
