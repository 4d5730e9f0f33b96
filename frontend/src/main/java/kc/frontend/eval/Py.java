package kc.frontend.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * How Python values are represented during symbolic evaluation. Plain Java objects where Python has a plain
 * value: int is {@link Long}, float {@link Double}, bool {@link Boolean}, str {@link String}, a dtype is
 * {@link kc.ir.graph.DType}, a tensor is {@link kc.frontend.torch.Tensor}; the records below cover the rest.
 * Functions, classes, instances and module objects belong to the evaluator.
 */
public final class Py {
    private Py() {}

    /** Python's None. */
    public enum None { NONE; @Override public String toString() { return "None"; } }
    /** Python's Ellipsis ({@code ...}). */
    public enum Ellipsis { ELLIPSIS; @Override public String toString() { return "Ellipsis"; } }

    public static final None NONE = None.NONE;

    /** An immutable tuple (also torch.Size). */
    public record Tuple(List<Object> items) {
        public Tuple { items = java.util.Collections.unmodifiableList(new ArrayList<>(items)); }
        public static Tuple of(Object... items) { return new Tuple(java.util.Arrays.asList(items)); }
    }

    /** A mutable list; identity semantics like Python's. */
    public static final class PyList {
        public final ArrayList<Object> items;
        public PyList(List<Object> items) { this.items = new ArrayList<>(items); }
        @Override public String toString() { return items.toString(); }
    }

    /** A mutable, insertion-ordered dict; keys must be hashable (Long, Double, String, Boolean, Tuple, None...). */
    public static final class PyDict {
        public final LinkedHashMap<Object, Object> items;

        public PyDict() { this.items = new LinkedHashMap<>(); }

        /** A dict that is a view of {@code backing}: an instance's __dict__, which update() and item writes change. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        PyDict(LinkedHashMap<String, Object> backing) { this.items = (LinkedHashMap) backing; }

        @Override public String toString() { return items.toString(); }
    }

    /** A slice object; each part is null when absent. */
    public record Slice(Object start, Object stop, Object step) {}
}
