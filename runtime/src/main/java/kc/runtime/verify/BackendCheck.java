package kc.runtime.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import kc.ir.graph.Graph;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.lower.Lowered;
import kc.runtime.cpu.CpuRunner;

/**
 * kc's compiled kernels checked without a GPU ({@code kc check --backend}): rendered for a CPU backend with kc's
 * shim, run on every trial's inputs and compared output by output with the reference interpreter on the same
 * weights and inputs.
 */
public final class BackendCheck {
    private BackendCheck() {}

    /**
     * @param problem non-empty when the data could not be used at all (e.g. a weight is missing); then nothing ran
     * @param worst   the comparison most worth showing: a failing one first, then the largest relative error
     */
    public record Report(boolean passed, String problem, Comparison worst, int trials, int outputs, double seconds) {}

    /**
     * @param graph   the model's graph, as evaluated (the interpreter's reference semantics)
     * @param lowered its kernels and launch plan
     * @param backend one of {@link CpuRunner#BACKENDS}
     */
    public static Report run(Graph graph, Lowered lowered, TorchReference.Run data, String backend) {
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : graph.params()) {
            HostTensor t = data.params().get(p.name());
            if (t == null) return new Report(false, "no weights for " + p.name(), null, 0, graph.outputs().size(), 0);
            params.put(p.name(), t.withType(p.type()));
        }
        Comparison worst = null;
        boolean passed = true;
        long t0 = System.nanoTime();
        for (TorchReference.Trial trial : data.trials()) {
            List<HostTensor> inputs = new ArrayList<>();
            for (int i = 0; i < graph.inputs().size(); i++) inputs.add(trial.inputs().get(i).withType(graph.inputs().get(i).type()));
            List<HostTensor> expected = Interpreter.run(graph, inputs, params);
            List<HostTensor> got = CpuRunner.run(lowered.kernels(), lowered.plan(), inputs, params, backend);
            for (int o = 0; o < expected.size(); o++) {
                Comparison c = Comparison.of(got.get(o), expected.get(o), Tolerance.of(graph.outputs().get(o).type().dtype(), lowered.plan().precision()));
                passed &= c.passed();
                if (worst == null || !c.passed() && worst.passed() || c.passed() == worst.passed() && c.relativeL2Error() > worst.relativeL2Error()) worst = c;
            }
        }
        return new Report(passed, "", worst, data.trials().size(), graph.outputs().size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Seeded synthetic data when no PyTorch is at hand: float inputs in [0, 1), weights in [-0.5, 0.5), 0 or 1 for the rest. */
    public static TorchReference.Run synthetic(Graph graph, int seed, int trials) {
        Random random = new Random(seed);
        Function<TensorType, HostTensor> draw = type -> HostTensor.generate(type, i ->
                type.dtype().isFloat() ? (float) random.nextDouble() : random.nextInt(2)); // 0 or 1 suits bools and indices
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : graph.params()) params.put(p.name(), HostTensor.generate(p.type(), i -> p.type().dtype().isFloat() ? (float) (random.nextDouble() - 0.5) : 1));
        List<TorchReference.Trial> drawn = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            List<HostTensor> inputs = new ArrayList<>();
            for (Value v : graph.inputs()) inputs.add(draw.apply(v.type()));
            drawn.add(new TorchReference.Trial("synthetic", inputs, List.of(), List.of()));
        }
        return new TorchReference.Run("none", params, drawn);
    }
}
