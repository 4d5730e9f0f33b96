package kc.frontend.eval;

/** Where a piece of executed code lives: the user's file or one of kc's prelude files. */
record SourceUnit(String file, boolean prelude) {}
