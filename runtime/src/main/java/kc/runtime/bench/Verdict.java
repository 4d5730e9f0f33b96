package kc.runtime.bench;

/** How checking one problem ended. Only {@link #PASS} counts as correct. */
public enum Verdict {
    /** every trial's outputs matched the reference */
    PASS,
    /** it ran, but some output differed from the reference */
    FAIL,
    /** kc could not compile or launch it (the detail says why) */
    ERROR,
    /** it ran past its time limit */
    TIMEOUT,
    /** the process running it died */
    CRASH,
    /** no reference could be produced (PyTorch missing or failing on the problem itself) */
    NO_REFERENCE;

    public boolean correct() { return this == PASS; }
}
