/**
 * The report of {@code kc bench}: per-problem results ({@link kc.runtime.bench.ProblemResult}: verdict, kc's and
 * the baselines' {@link kc.runtime.bench.Timing}s, errors, roofline floor, kernel launches per forward) and the
 * summary MEASURING.md asks for (speedup = baseline / kc, geometric means per level, fast_p counting every incorrect
 * problem as a failure, speedups over 10x flagged) and launch totals, rendered by
 * {@link kc.runtime.bench.BenchReport} as a text table, JSON and CSV.
 * {@link kc.runtime.bench.ProgressBar} shows the run's progress on stderr. Nothing here touches a GPU.
 */
package kc.runtime.bench;
