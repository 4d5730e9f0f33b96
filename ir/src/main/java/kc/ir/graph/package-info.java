/**
 * kc's Graph IR: an immutable, statically shaped dataflow graph of structured ops ({@link kc.ir.graph.Op}).
 *
 * <p>The data model is {@link kc.ir.graph.Graph}, {@link kc.ir.graph.Node}, {@link kc.ir.graph.Value} and the
 * op/expression records. Around it:
 * <ul>
 *   <li>{@link kc.ir.graph.GraphVerifier}: the invariants every pass must keep (SSA, map/body consistency,
 *       dtypes, in-range reads proven with {@link kc.ir.graph.IndexBounds});
 *   <li>{@link kc.ir.graph.GraphPrinter}: one line per node, maps and bodies in {@link kc.ir.graph.ExprText}'s
 *       infix form;
 *   <li>{@link kc.ir.graph.GraphJson}: the complete JSON form (round-trips exactly), read with the small
 *       {@link kc.ir.graph.Json} reader;
 *   <li>{@link kc.ir.graph.ScalarTypes}: dtype inference and promotion for scalar bodies.
 * </ul>
 * The reference interpreter lives in {@code kc.ir.interp}.
 */
package kc.ir.graph;
