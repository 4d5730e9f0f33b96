package kc.runtime.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/**
 * Runs kc's reference interpreter on PyTorch's weights and inputs and compares every output of every trial
 * with PyTorch's. This is the proof that the frontend understood the module.
 */
public final class ReferenceCheck {
    private ReferenceCheck() {}

    /**
     * The comparison of one output in one trial. {@code comparison} is kc's reference (float64 arithmetic, values
     * stored at float32 like PyTorch) against PyTorch's float32 result. When that fails and PyTorch could also run
     * the model in float64, {@code exact} compares kc's all-float64 evaluation with PyTorch's float64 result and
     * {@code torchDrift} PyTorch's float32 result with its own float64 one: an ill-conditioned problem shows a
     * large drift and an exact match, a mistake in kc shows neither. Null when not needed or not available.
     */
    public record OutputResult(int trial, String distribution, int output, Comparison comparison, Comparison exact, Comparison torchDrift) {
        public boolean passed() { return comparison.passed() || exact != null && exact.passed(); }

        /** True when only the float64 comparison passed. */
        public boolean illConditioned() { return !comparison.passed() && passed(); }

        public String summary() {
            if (!illConditioned()) return comparison.summary();
            return "float64 " + exact.summary() + "; ill-conditioned in float32: PyTorch's own float32 result is off by "
                    + String.format("rel_l2=%.3g", torchDrift.relativeL2Error()) + ", kc's float32 one by " + comparison.summary();
        }
    }

    /** All comparisons; {@code problem} is non-empty when the run could not even be compared (e.g. a missing key). */
    public record Report(List<OutputResult> results, String problem, double interpreterSeconds) {
        public boolean passed() {
            return problem.isEmpty() && !results.isEmpty() && results.stream().allMatch(OutputResult::passed);
        }

        public boolean illConditioned() { return results.stream().anyMatch(OutputResult::illConditioned); }

        /** The result with the largest relative error, the one worth showing. */
        public OutputResult worst() {
            OutputResult worst = null;
            for (OutputResult r : results)
                if (worst == null || !r.passed() && worst.passed()
                        || r.passed() == worst.passed() && r.illConditioned() && !worst.illConditioned()
                        || r.passed() == worst.passed() && r.illConditioned() == worst.illConditioned()
                        && !(r.comparison().relativeL2Error() <= worst.comparison().relativeL2Error()))
                    worst = r;
            return worst;
        }
    }

    public static Report compare(Graph graph, TorchReference.Run reference) {
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : graph.params()) {
            HostTensor t = reference.params().get(p.name());
            if (t == null) return problem("PyTorch's state_dict has no entry " + p.name());
            if (!t.shape().equals(p.type().shape()))
                return problem("parameter " + p.name() + " is " + t.shape() + " in PyTorch but " + p.type().shape() + " in kc");
            params.put(p.name(), t);
        }
        List<OutputResult> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int trial = 0; trial < reference.trials().size(); trial++) {
            TorchReference.Trial tr = reference.trials().get(trial);
            if (tr.inputs().size() != graph.inputs().size())
                return problem("get_inputs() gives " + tr.inputs().size() + " tensors in PyTorch but kc's graph has " + graph.inputs().size());
            for (int i = 0; i < tr.inputs().size(); i++)
                if (!tr.inputs().get(i).shape().equals(graph.inputs().get(i).type().shape()))
                    return problem("input " + i + " is " + tr.inputs().get(i).shape() + " in PyTorch but " + graph.inputs().get(i).type().shape() + " in kc");
            if (tr.outputs().size() != graph.outputs().size())
                return problem("forward returns " + tr.outputs().size() + " tensors in PyTorch but " + graph.outputs().size() + " in kc");
            List<HostTensor> inputs = new ArrayList<>();
            for (int i = 0; i < tr.inputs().size(); i++)
                inputs.add(tr.inputs().get(i).withType(graph.inputs().get(i).type()));
            List<HostTensor> outs = Interpreter.run(graph, inputs, params);
            List<HostTensor> exactOuts = null;
            for (int o = 0; o < outs.size(); o++) {
                HostTensor ref = tr.outputs().get(o);
                Tolerance tol = Tolerance.forDType(graph.outputs().get(o).type().dtype());
                Comparison c = Comparison.of(outs.get(o), ref, tol);
                Comparison exact = null, drift = null;
                if (!c.passed() && tr.outputs64().size() == outs.size()) {
                    if (exactOuts == null) exactOuts = Interpreter.runExact(graph, inputs, params);
                    exact = Comparison.of(exactOuts.get(o), tr.outputs64().get(o), tol);
                    drift = Comparison.of(ref, tr.outputs64().get(o), tol);
                }
                results.add(new OutputResult(trial, tr.distribution(), o, c, exact, drift));
            }
        }
        return new Report(results, "", (System.nanoTime() - start) / 1e9);
    }

    private static Report problem(String message) {
        return new Report(List.of(), message, 0);
    }
}
