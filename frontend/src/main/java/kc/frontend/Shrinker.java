package kc.frontend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import kc.frontend.ast.Expr;
import kc.frontend.ast.PyModule;
import kc.frontend.ast.Stmt;
import kc.frontend.parse.PythonSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.Py;
import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;

/**
 * Scales a problem down to a size the CPU reference can run in seconds, keeping every shape valid: it halves
 * the module's integer constants (largest first), keeping a change only when the module still evaluates to a
 * graph, until the graph's work estimate is under budget. The result is a set of -D overrides, so PyTorch can
 * be given exactly the same problem.
 */
public final class Shrinker {
    private Shrinker() {}

    /** Default work budget: scalar body evaluations of the whole graph (about a second in the interpreter). */
    public static final double DEFAULT_BUDGET = 2e7;

    /**
     * What was chosen: the -D overrides (the user's included), the source with shrunk get_inputs() literals (equal to
     * the file's text when none were needed), a description of those literal edits, and the model they give.
     */
    public record Result(Map<String, String> defines, String source, List<String> literalEdits, LoadedModel model,
                         double work, double originalWork) {
        public boolean editedSource() { return !literalEdits.isEmpty(); }
    }

    /** Work estimate: for each node, result elements times reduction points (body evaluations). */
    public static double work(Graph g) {
        double total = 0;
        for (Node n : g.nodes()) {
            double elems = n.result().type().shape().numel();
            if (n.op() instanceof Op.Generic gen) elems *= Math.max(1, gen.reduceShape().numel());
            else if (n.op() instanceof Op.Scan) elems *= 2;
            total += elems;
        }
        return total;
    }

    /**
     * Something the shrinker may halve: a module-level integer constant (or the largest int of a tuple/list
     * constant), or an integer literal written inside get_inputs() (input sizes such as the 224 of
     * torch.rand(batch_size, 3, 224, 224)), which PyTorch then runs from the same edited source.
     */
    private record Knob(String constant, Expr.Constant literal) {
        String name() { return constant != null ? constant : "get_inputs literal at " + literal.pos(); }
    }

    public static Result shrink(Path file, Map<String, String> userDefines, double budget) {
        String source;
        try {
            source = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return shrinkConstantsOnly(file, userDefines, budget);
        }
        String fileName = file.toString();
        Map<String, String> defines = new LinkedHashMap<>(userDefines);
        Map<Expr.Constant, Long> literals = new LinkedHashMap<>(); // literal -> its current (shrunk) value
        for (Expr.Constant c : inputSizeLiterals(PythonSource.parse(fileName, source))) literals.put(c, (Long) c.value());
        LoadedModel model = Frontend.load(fileName, source, defines);
        double originalWork = work(model.graph()), current = originalWork;
        Set<String> frozen = new HashSet<>(userDefines.keySet()); // the user's own choices stay as given
        while (current > budget) {
            // Candidates above 2 (never below 2: batch statistics need two values), the largest first.
            List<Map.Entry<Knob, Long>> candidates = new ArrayList<>();
            for (var e : model.constants().entrySet()) {
                long size = largestInt(e.getValue());
                if (size > 2 && !frozen.contains(e.getKey())) candidates.add(Map.entry(new Knob(e.getKey(), null), size));
            }
            for (var e : literals.entrySet()) {
                Knob k = new Knob(null, e.getKey());
                if (e.getValue() > 2 && !frozen.contains(k.name())) candidates.add(Map.entry(k, e.getValue()));
            }
            candidates.sort(Comparator.comparing((Map.Entry<Knob, Long> e) -> e.getValue()).reversed());
            boolean progressed = false;
            for (var c : candidates) {
                Knob k = c.getKey();
                Map<String, String> trialDefines = new LinkedHashMap<>(defines);
                Map<Expr.Constant, Long> trialLiterals = new LinkedHashMap<>(literals);
                if (k.constant() != null) trialDefines.put(k.constant(), halvedLiteral(model.constants().get(k.constant())));
                else trialLiterals.put(k.literal(), Math.max(2, c.getValue() / 2));
                LoadedModel smaller;
                try {
                    smaller = Frontend.load(fileName, edit(source, trialLiterals), trialDefines);
                } catch (CompileError invalid) {
                    frozen.add(k.name()); // halving it breaks a shape: leave it alone from now on
                    continue;
                }
                double w = work(smaller.graph());
                if (w >= current) { frozen.add(k.name()); continue; }
                defines = trialDefines;
                literals = trialLiterals;
                model = smaller;
                current = w;
                progressed = true;
                break;
            }
            if (!progressed) break; // nothing left to shrink: run at the smallest valid size found
        }
        List<String> edits = new ArrayList<>();
        for (var e : literals.entrySet())
            if (!e.getValue().equals(e.getKey().value())) edits.add(e.getKey().pos() + " " + e.getKey().value() + "->" + e.getValue());
        return new Result(defines, edit(source, literals), edits, model, current, originalWork);
    }

    /** Only -D overrides, for a file whose text is not at hand (Frontend.load reports why). */
    private static Result shrinkConstantsOnly(Path file, Map<String, String> userDefines, double budget) {
        LoadedModel model = Frontend.load(file, userDefines);
        double w = work(model.graph());
        return new Result(new LinkedHashMap<>(userDefines), "", List.of(), model, w, w);
    }

    /** Integer literals > 2 inside get_inputs() that are arguments of calls (the sizes of the tensors it draws). */
    static List<Expr.Constant> inputSizeLiterals(PyModule module) {
        List<Expr.Constant> found = new ArrayList<>();
        for (Stmt s : module.body())
            if (s instanceof Stmt.FunctionDef f && f.name().equals("get_inputs")) collectCallArguments(f.body(), false, found);
        return found;
    }

    /** Walks any AST value (records and lists of them) collecting int literals that sit in a call's arguments. */
    private static void collectCallArguments(Object node, boolean inCall, List<Expr.Constant> found) {
        if (node instanceof Expr.Constant c) {
            if (inCall && c.value() instanceof Long v && v > 2) found.add(c);
        } else if (node instanceof Expr.Call call) {
            collectCallArguments(call.func(), false, found);
            for (Expr a : call.args()) collectCallArguments(a, true, found);
            for (Expr.Keyword k : call.keywords()) collectCallArguments(k.value(), true, found);
        } else if (node instanceof List<?> list) {
            for (Object o : list) collectCallArguments(o, inCall, found);
        } else if (node instanceof Record r) {
            for (var component : r.getClass().getRecordComponents()) {
                try {
                    collectCallArguments(component.getAccessor().invoke(r), inCall, found);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The source with each literal replaced by its new value (same line; the literal's own digits only). */
    private static String edit(String source, Map<Expr.Constant, Long> literals) {
        List<Map.Entry<Expr.Constant, Long>> changes = new ArrayList<>();
        for (var e : literals.entrySet()) if (!e.getValue().equals(e.getKey().value())) changes.add(e);
        if (changes.isEmpty()) return source;
        String[] lines = source.split("\n", -1);
        // Right to left within a line, so earlier columns stay valid.
        changes.sort(Comparator.comparing((Map.Entry<Expr.Constant, Long> e) -> e.getKey().pos().line())
                .thenComparing(e -> -e.getKey().pos().column()));
        for (var e : changes) {
            int li = e.getKey().pos().line() - 1, col = e.getKey().pos().column() - 1;
            String line = lines[li];
            int end = col;
            while (end < line.length() && (Character.isDigit(line.charAt(end)) || line.charAt(end) == '_')) end++;
            lines[li] = line.substring(0, col) + e.getValue() + line.substring(end);
        }
        return String.join("\n", lines);
    }

    private static long largestInt(Object v) {
        if (v instanceof Long l) return l;
        List<Object> items = v instanceof Py.Tuple t ? t.items() : v instanceof Py.PyList l ? l.items : null;
        if (items != null) {
            long max = 0;
            for (Object o : items) {
                if (!(o instanceof Long l)) return 0;
                max = Math.max(max, l);
            }
            return max;
        }
        return 0; // bools, floats, strings, nested containers: never touched
    }

    /** The constant with its (largest) integer halved, written as a Python literal. */
    private static String halvedLiteral(Object v) {
        if (v instanceof Long l) return Long.toString(Math.max(2, l / 2));
        boolean tuple = v instanceof Py.Tuple;
        List<Object> items = tuple ? ((Py.Tuple) v).items() : ((Py.PyList) v).items;
        long max = largestInt(v);
        StringBuilder sb = new StringBuilder(tuple ? "(" : "[");
        boolean done = false;
        for (Object o : items) {
            long x = (Long) o;
            if (!done && x == max) { x = Math.max(2, x / 2); done = true; }
            sb.append(x).append(", ");
        }
        return sb.append(tuple ? ")" : "]").toString();
    }
}
