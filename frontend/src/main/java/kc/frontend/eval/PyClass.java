package kc.frontend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Predicate;

/**
 * A Python class: user and prelude classes, and the evaluator's built-in types (int, list, Exception,
 * nn.Module...), which have a Java constructor and/or a Java instance test instead of Python code.
 */
final class PyClass {
    final String name;
    final List<PyClass> bases;
    final LinkedHashMap<String, Object> dict;
    /** Method resolution order (C3), starting with this class. */
    final List<PyClass> mro;
    /** Where the class body was written; null for built-in types. */
    final SourceUnit source;
    /** Java constructor for built-in types whose instances are not PyInstances (int, str, list...). */
    Builtin nativeConstructor;
    /** Java instance test for built-in types whose instances are plain Java values. */
    Predicate<Object> nativeInstanceTest;

    PyClass(String name, List<PyClass> bases, LinkedHashMap<String, Object> dict, SourceUnit source) {
        this.name = name;
        this.bases = List.copyOf(bases);
        this.dict = dict;
        this.source = source;
        this.mro = linearize(this);
    }

    static PyClass builtin(String name, List<PyClass> bases) {
        return new PyClass(name, bases, new LinkedHashMap<>(), null);
    }

    /** The attribute as found along the MRO (unbound), or null. */
    Object lookup(String attr) {
        for (PyClass c : mro) {
            Object v = c.dict.get(attr);
            if (v != null) return v;
        }
        return null;
    }

    boolean isSubclassOf(PyClass other) {
        return this == other || mro.contains(other);
    }

    @Override public String toString() { return "<class '" + name + "'>"; }

    /** C3 linearization; falls back to depth-first order when the bases admit no consistent order. */
    private static List<PyClass> linearize(PyClass cls) {
        List<List<PyClass>> seqs = new ArrayList<>();
        for (PyClass b : cls.bases) seqs.add(new ArrayList<>(b.mro));
        seqs.add(new ArrayList<>(cls.bases));
        List<PyClass> out = new ArrayList<>();
        out.add(cls);
        while (true) {
            seqs.removeIf(List::isEmpty);
            if (seqs.isEmpty()) return out;
            PyClass next = null;
            for (List<PyClass> s : seqs) {
                PyClass head = s.get(0);
                boolean inTail = false;
                for (List<PyClass> t : seqs) if (t.indexOf(head) > 0) { inTail = true; break; }
                if (!inTail) { next = head; break; }
            }
            if (next == null) { // inconsistent hierarchy: depth-first, first occurrence wins
                for (PyClass b : cls.bases) for (PyClass c : b.mro) if (!out.contains(c)) out.add(c);
                return out;
            }
            out.add(next);
            for (List<PyClass> s : seqs) if (!s.isEmpty() && s.get(0) == next) s.remove(0);
        }
    }
}
