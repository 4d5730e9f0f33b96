package kc.frontend.eval;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/** Small Python runtime objects that need no behaviour of their own. */
final class PyObjects {
    private PyObjects() {}

    /** A function bound to its first argument (a method bound to an instance, or a classmethod to a class). */
    record BoundMethod(Object self, Object function) {
        @Override public String toString() { return "<bound method " + function + ">"; }
    }

    record StaticMethod(Object function) {}
    record ClassMethod(Object function) {}
    /** A property; fset may be null. */
    record Property(Object fget, Object fset) {}

    /** The result of super(): attribute lookups start after {@code after} in self's MRO. */
    record Super(PyClass after, Object self) {}

    /**
     * A name kc has no model of: a module it does not evaluate (json, inspect, argparse...) or an attribute of a
     * modelled library it lacks (torch.polar). Importing or referring to it is harmless; its attributes are more of
     * the same; using it (calling, computing with, instantiating a subclass of it) is the error, at the use.
     *
     * @param path the dotted name as the file wrote it ({@code json.dumps})
     * @param why  what kc lacks ({@code module 'json' is not available in kc})
     */
    record Unavailable(String path, String why) {
        /** The error for a use of this name. */
        String message() { return "unsupported: " + path + " is used here, and " + why; }
    }

    /** An imported module object. */
    record ModuleObject(String name, LinkedHashMap<String, Object> dict) {
        @Override public String toString() { return "<module '" + name + "'>"; }
        @Override public boolean equals(Object o) { return this == o; }
        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /** range(start, stop, step), lazily. */
    record Range(long start, long stop, long step) {
        long length() {
            if (step > 0) return start < stop ? (stop - start + step - 1) / step : 0;
            return start > stop ? (start - stop - step - 1) / -step : 0;
        }
        long get(long i) { return start + i * step; }
    }

    /** A Python iterator over already computed or lazily produced items. */
    static final class PyIterator implements Iterator<Object> {
        private final Iterator<Object> it;
        PyIterator(Iterator<Object> it) { this.it = it; }
        static PyIterator of(List<Object> items) { return new PyIterator(items.iterator()); }
        @Override public boolean hasNext() { return it.hasNext(); }
        @Override public Object next() { return it.next(); }
        @Override public String toString() { return "<iterator>"; }
    }

    /** A mutable set; elements must be hashable. */
    static final class PySet {
        final LinkedHashSet<Object> items;
        PySet(java.util.Collection<Object> items) { this.items = new LinkedHashSet<>(items); }
    }

    /** A typing construct (List, Optional[int]...): only ever used in annotations, so it just subscripts to itself. */
    record TypingForm(String name) {
        @Override public String toString() { return "typing." + name; }
    }
}
