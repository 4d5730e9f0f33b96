package kc.ir.graph;

/** A position in the user's source file (1-based line, 1-based column). */
public record SourcePos(String file, int line, int column) {
    public static final SourcePos UNKNOWN = new SourcePos("<unknown>", 0, 0);
    @Override public String toString() { return file + ":" + line + ":" + column; }
}
