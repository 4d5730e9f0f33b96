/** Lowering: Graph IR plus a Schedule to Tile IR kernels and a LaunchPlan. */
package kc.passes.lower;
