package kc.frontend.eval;

/** A Python-visible function object backed by a {@link Builtin}, e.g. {@code torch.relu}. */
public record NativeFunction(String qualifiedName, Builtin impl) {
    @Override public String toString() { return "<built-in function " + qualifiedName + ">"; }
}
