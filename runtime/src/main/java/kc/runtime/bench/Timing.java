package kc.runtime.bench;

/** One measured time: the statistics of {@code trials} timed runs, in milliseconds. */
public record Timing(double medianMs, double meanMs, double minMs, double maxMs, int trials) {}
