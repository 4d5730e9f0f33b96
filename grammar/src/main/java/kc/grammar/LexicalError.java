package kc.grammar;

/**
 * A lexical error (bad indentation, unterminated string, unbalanced bracket, stray character) at a 1-based line
 * and column. The grammar module does not know kc's CompileError; the frontend's parser converts this one.
 */
public final class LexicalError extends RuntimeException {
    /** What went wrong, for callers that weigh a lexical error against a syntax error found earlier. */
    public enum Kind {
        /**
         * Layout: a dedent to no enclosing level, tabs and spaces mixed inconsistently, too deep a nesting of
         * blocks, a character after a line-continuation backslash.
         */
        LAYOUT,
        /** A bracket still open at the end of input. */
        UNCLOSED_BRACKET,
        /** Anything else: a bad character, string, number or bracket. */
        TOKEN
    }

    private final Kind kind;
    private final int line;
    private final int column;

    public LexicalError(Kind kind, int line, int column, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.line = line;
        this.column = column;
    }

    public LexicalError(int line, int column, String message) {
        this(Kind.TOKEN, line, column, message);
    }

    public Kind kind() { return kind; }
    public int line() { return line; }
    public int column() { return column; }
}
