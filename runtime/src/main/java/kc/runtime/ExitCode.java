package kc.runtime;

/**
 * kc's exit statuses, documented in `kc --help`. They live with the library because more than the CLI reads them:
 * a {@link Diagnostic} says which status it means, and kc bench classifies its child runs by theirs.
 */
public final class ExitCode {
    private ExitCode() {}

    public static final int OK = 0;
    /** The compiled model disagrees with its reference. */
    public static final int VERIFICATION_FAILED = 1;
    /** The input (module file, options, schedule) is wrong or uses something kc does not support. */
    public static final int BAD_INPUT = 2;
    /** A needed tool is missing: no GPU, no Python with torch, no nvcc. */
    public static final int NO_TOOLCHAIN = 3;
    /** A bug in kc. */
    public static final int INTERNAL = 70;

    public static final String TABLE = """
            Exit status:
              0   success
              1   verification failed (results disagree with the reference)
              2   bad input: the file, an option or a schedule (file:line:col: error: message)
              3   a needed tool is missing (no GPU, no Python with torch, no nvcc)
              70  internal error in kc (a bug: --stacktrace shows where)""";
}
