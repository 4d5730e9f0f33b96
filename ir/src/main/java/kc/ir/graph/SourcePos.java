package kc.ir.graph;

/** A position in the user's source file (1-based line, 1-based column). */
public record SourcePos(String file, int line, int column) {
    public static final SourcePos UNKNOWN = new SourcePos("<unknown>", 0, 0);
    // Spelled out: the generated record methods are slow under the C1 JIT kc runs with.
    @Override public boolean equals(Object o) {
        return o instanceof SourcePos p && line == p.line && column == p.column && java.util.Objects.equals(file, p.file);
    }
    @Override public int hashCode() { return (java.util.Objects.hashCode(file) * 31 + line) * 31 + column; }
    @Override public String toString() { return file + ":" + line + ":" + column; }
}
