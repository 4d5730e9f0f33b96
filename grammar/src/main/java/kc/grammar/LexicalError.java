package kc.grammar;

/**
 * A lexical error (bad indentation, unterminated string, unbalanced bracket, stray character) at a 1-based line
 * and column. The grammar module does not know kc's CompileError; the frontend's parser converts this one.
 */
public final class LexicalError extends RuntimeException {
    private final int line;
    private final int column;

    public LexicalError(int line, int column, String message) {
        super(message, null, false, false);
        this.line = line;
        this.column = column;
    }

    public int line() { return line; }
    public int column() { return column; }
}
