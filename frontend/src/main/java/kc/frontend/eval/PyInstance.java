package kc.frontend.eval;

import java.util.LinkedHashMap;

/** An instance of a user or prelude class (including nn.Module subclasses and exceptions). */
final class PyInstance {
    final PyClass cls;
    final LinkedHashMap<String, Object> dict = new LinkedHashMap<>();
    /** The nn.Module bookkeeping (parameters, buffers, submodules) when cls subclasses nn.Module, else null. */
    final ModuleState module;

    PyInstance(PyClass cls, boolean isModule) {
        this.cls = cls;
        this.module = isModule ? new ModuleState() : null;
    }

    @Override public String toString() { return "<" + cls.name + " object>"; }
}
