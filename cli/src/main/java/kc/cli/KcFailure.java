package kc.cli;

/** A command's own failure (an option that makes no sense, a missing GPU), reported in one line with its exit status. */
final class KcFailure extends RuntimeException {
    private final int exitCode;

    KcFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() { return exitCode; }
}
