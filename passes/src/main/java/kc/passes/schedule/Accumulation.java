package kc.passes.schedule;

/**
 * How a group's float sums accumulate. Max, min, arg-reductions and integer sums are exact either way.
 */
public enum Accumulation {
    /** One fp32 add per term: fastest, its error grows with the reduction length (legality bounds that length). */
    PLAIN,
    /** The plain sum and, beside it, every rounding error it made (TwoSum; products split by an fma): fp32 sums that meet 1e-4 at any length. */
    DOUBLE;

    public String word() { return name().toLowerCase(java.util.Locale.ROOT); }
}
