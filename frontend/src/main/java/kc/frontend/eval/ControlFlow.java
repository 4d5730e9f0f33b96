package kc.frontend.eval;

/** How a statement finished: normally, or by break/continue/return (the return value is kept by the frame). */
enum ControlFlow { NORMAL, BREAK, CONTINUE, RETURN }
