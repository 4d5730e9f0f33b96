package kc.ir.interp;

/** A scalar body compiled to a tree of small objects: evaluates the body at the frame's current domain point. */
@FunctionalInterface
interface ScalarCode {
    double eval(Frame f);
}
