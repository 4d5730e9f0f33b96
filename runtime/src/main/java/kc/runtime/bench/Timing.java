package kc.runtime.bench;

import java.util.Arrays;

/** Statistics of one timed sequence (the whole forward) over {@code trials} runs, in milliseconds. */
public record Timing(double medianMs, double meanMs, double minMs, double maxMs, int trials) {

    public Timing {
        if (trials < 1) throw new IllegalArgumentException("a timing needs at least one trial, got " + trials);
        if (!(minMs >= 0 && minMs <= medianMs && medianMs <= maxMs && minMs <= meanMs && meanMs <= maxMs))
            throw new IllegalArgumentException("inconsistent timing: min " + minMs + ", median " + medianMs
                    + ", mean " + meanMs + ", max " + maxMs);
    }

    /** The statistics of measured times (ms); the median of an even count is the mean of the middle two. */
    public static Timing of(double... samplesMs) {
        if (samplesMs.length == 0) throw new IllegalArgumentException("no samples");
        double[] s = samplesMs.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double mean = Arrays.stream(s).sum() / n;
        // the sum's rounding can put the mean of equal samples a hair outside [min, max]
        mean = Math.min(Math.max(mean, s[0]), s[n - 1]);
        return new Timing(median, mean, s[0], s[n - 1], n);
    }
}
