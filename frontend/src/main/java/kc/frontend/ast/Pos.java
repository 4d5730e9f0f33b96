package kc.frontend.ast;

/** 1-based line and column of an AST node's first token. */
public record Pos(int line, int column) {
    @Override public String toString() { return line + ":" + column; }
}
