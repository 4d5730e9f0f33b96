package kc.cli;

/** A failure the CLI reports in one line with a specific exit status (no stack trace). */
final class KcFailure extends RuntimeException {
    private final int exitCode;

    KcFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() { return exitCode; }
}
