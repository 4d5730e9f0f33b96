package kc.frontend;

import java.nio.file.Path;
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

    /** What was chosen: the overrides (user's -D values included) and the model they give. */
    public record Result(Map<String, String> defines, LoadedModel model, double work, double originalWork) {}

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

    public static Result shrink(Path file, Map<String, String> userDefines, double budget) {
        Map<String, String> defines = new LinkedHashMap<>(userDefines);
        LoadedModel model = Frontend.load(file, defines);
        double originalWork = work(model.graph()), current = originalWork;
        List<String> frozen = new ArrayList<>(userDefines.keySet()); // the user's own choices stay as given
        while (current > budget) {
            // Candidates: integer constants (and int tuples and lists) > 2 (never below 2: batch statistics need two values), the largest first.
            List<Map.Entry<String, Long>> candidates = new ArrayList<>();
            for (var e : model.constants().entrySet()) {
                if (frozen.contains(e.getKey())) continue;
                long size = largestInt(e.getValue());
                if (size > 2) candidates.add(Map.entry(e.getKey(), size));
            }
            candidates.sort(Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).reversed());
            boolean progressed = false;
            for (var c : candidates) {
                Map<String, String> trial = new LinkedHashMap<>(defines);
                trial.put(c.getKey(), halvedLiteral(model.constants().get(c.getKey())));
                LoadedModel smaller;
                try {
                    smaller = Frontend.load(file, trial);
                } catch (CompileError invalid) {
                    frozen.add(c.getKey()); // halving it breaks a shape: leave it alone from now on
                    continue;
                }
                double w = work(smaller.graph());
                if (w >= current) { frozen.add(c.getKey()); continue; }
                defines = trial;
                model = smaller;
                current = w;
                progressed = true;
                break;
            }
            if (!progressed) break; // nothing left to shrink: run at the smallest valid size found
        }
        return new Result(defines, model, current, originalWork);
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
