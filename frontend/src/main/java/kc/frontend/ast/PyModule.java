package kc.frontend.ast;

import java.util.List;

/** A parsed Python source file. */
public record PyModule(String file, List<Stmt> body) {
    public PyModule { body = List.copyOf(body); }
}
