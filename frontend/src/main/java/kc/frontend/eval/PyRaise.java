package kc.frontend.eval;

import kc.frontend.CompileError;
import kc.frontend.ast.Pos;

/**
 * A Python exception in flight ({@code raise}, or an error of Python semantics such as a KeyError), so that
 * try/except in the evaluated code can catch it. Escaping the evaluation it becomes a CompileError at the user
 * position where it was raised.
 */
final class PyRaise extends RuntimeException {
    final PyInstance exception;
    final String file;
    final Pos pos;

    PyRaise(PyInstance exception, String message, String file, Pos pos) {
        super(message, null, false, false);
        this.exception = exception;
        this.file = file;
        this.pos = pos;
    }

    CompileError toCompileError() { return new CompileError(file, pos, getMessage()); }
}
