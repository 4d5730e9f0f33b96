package kc.frontend;

import kc.frontend.ast.Pos;

/**
 * A problem in the user's input, reported as {@code file:line:col: error: message} with exit status 2.
 * Thrown anywhere in the frontend; the CLI formats it. Never carries a Java stack trace to the user.
 */
public final class CompileError extends RuntimeException {
    private final String file;
    private final int line;
    private final int column;

    public CompileError(String file, int line, int column, String message) {
        super(message, null, false, false);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public CompileError(String file, Pos pos, String message) {
        this(file, pos == null ? 0 : pos.line(), pos == null ? 0 : pos.column(), message);
    }

    public String file() { return file; }
    public int line() { return line; }
    public int column() { return column; }

    /** The one-line diagnostic: {@code file:line:col: error: message}. */
    public String format() { return file + ":" + line + ":" + column + ": error: " + getMessage(); }
}
