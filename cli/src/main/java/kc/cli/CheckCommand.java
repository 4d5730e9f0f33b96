package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.Shrinker;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphVerifier;
import kc.runtime.verify.ReferenceCheck;
import kc.runtime.verify.TorchReference;
import kc.runtime.verify.PythonTorch;
import kc.runtime.verify.Comparison;
import kc.runtime.verify.Tolerance;
import kc.runtime.cpu.CpuRunner;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.runtime.Folders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks kc's understanding of a module against real PyTorch.",
                "Runs the module under PyTorch (seed 42 for the weights, a fresh seed per trial for the inputs,",
                "training mode as KernelBench, dropout disabled because its random stream cannot be reproduced) and",
                "kc's float64 reference interpreter on the same state_dict and inputs, and compares every output with",
                "allclose (atol = rtol = 1e-4 for fp32, 1e-2 for fp16/bf16; NaN never passes). Trials alternate",
                "get_inputs() as written and get_inputs() with torch.rand drawing from normal(0, 2) instead.",
                "When an output misses the float32 tolerance, PyTorch's float64 run of the same model decides:",
                "'PASS (float64)' means kc's all-float64 evaluation matches it while PyTorch's own float32 result",
                "drifts as much as kc's (an ill-conditioned problem, e.g. batch norm over two values)."})
final class CheckCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Mixin ReferenceOptions reference;

    @Option(names = "--backend", defaultValue = "reference", paramLabel = "BACKEND",
            description = {"reference: kc's float64 interpreter against PyTorch (default).",
                    "cuda-cpu / metal-cpu: compile the model (default schedule), render CUDA C or Metal, build it for this CPU with kc's shim (one CPU thread per GPU thread, real barriers), run the launch plan and compare every output with the reference interpreter on PyTorch's weights and inputs (or seeded synthetic ones when no PyTorch is found)."})
    String backend;

    @Option(names = "--shrink", description = "First scale the module's integer constants down (halving, largest first, keeping every shape valid) until the problem runs in seconds on a CPU.")
    boolean shrink;

    @Option(names = "--budget", defaultValue = "2e7", paramLabel = "WORK",
            description = "With --shrink: the work budget in scalar operations of the whole graph. Default: ${DEFAULT-VALUE}.")
    double budget;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the weights (inputs use seed+1+trial). Default: ${DEFAULT-VALUE}.")
    int seed;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS", description = "Limit for the PyTorch run. Default: ${DEFAULT-VALUE}.")
    long timeout;

    @Option(names = "--keep", paramLabel = "DIR", description = "Keep PyTorch's weights, inputs and outputs (.npy) in DIR instead of a temporary folder.")
    Path keep;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> defines = model.defines;
        LoadedModel loaded;
        String scale = "";
        String shrunkSource = null;
        if (shrink) {
            Shrinker.Result r = Shrinker.shrink(model.file, defines, budget);
            defines = r.defines();
            loaded = r.model();
            scale = String.format(" (shrunk: work %.2g -> %.2g%s)", r.originalWork(), r.work(),
                    r.editedSource() ? "; get_inputs literals " + String.join(", ", r.literalEdits()) : "");
            if (r.editedSource()) shrunkSource = r.source();
        } else {
            loaded = Frontend.load(model.file, defines);
        }
        Graph graph = loaded.graph();
        GraphVerifier.verifyOrThrow(graph);

        if (!backend.equals("reference") && !CpuRunner.BACKENDS.contains(backend))
            throw new KcFailure(ExitCode.BAD_INPUT, "check: unknown backend '" + backend + "' (known: reference, " + String.join(", ", CpuRunner.BACKENDS) + ")");
        Optional<Path> py = PythonTorch.find(reference.python);
        if (py.isEmpty() && !backend.equals("reference")) return checkBackend(graph, synthetic(graph), "synthetic inputs and weights (no Python with torch)");
        if (py.isEmpty())
            throw new KcFailure(ExitCode.NO_TOOLCHAIN, "check: no Python with torch and numpy found"
                    + (reference.python == null ? " (tried python3 on PATH, /usr/bin/python3, /usr/local/bin/python3; use --python)" : " at " + reference.python));

        Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("kc-check");
        try {
            long t0 = System.nanoTime();
            TorchReference.Run ref;
            Path moduleForTorch = model.file;
            if (shrunkSource != null) { // PyTorch runs exactly the edited source kc compiled
                moduleForTorch = Files.createDirectories(work.resolve("shrunk")).resolve(model.file.getFileName());
                Files.writeString(moduleForTorch, shrunkSource);
            }
            try {
                ref = TorchReference.run(py.get(), moduleForTorch, defines, reference.trials, seed, work, timeout);
            } catch (TorchReference.ReferenceFailure f) {
                throw new KcFailure(ExitCode.BAD_INPUT, model.file + ": " + f.getMessage());
            }
            double torchSeconds = (System.nanoTime() - t0) / 1e9;
            if (!backend.equals("reference")) return checkBackend(graph, ref, "PyTorch " + ref.torchVersion() + "'s weights and inputs");
            ReferenceCheck.Report report = ReferenceCheck.compare(graph, ref);
            String defs = defines.entrySet().stream().map(e -> " -D " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
            out.println("kc check " + model.file + defs + scale);
            if (!report.problem().isEmpty()) {
                out.println("FAIL  " + report.problem());
                return ExitCode.VERIFICATION_FAILED;
            }
            ReferenceCheck.OutputResult worst = report.worst();
            out.printf("%s  %d trials x %d outputs; worst: trial %d (%s) output %d %s  [torch %s %.1f s, interpreter %.1f s]%n",
                    report.passed() ? (report.illConditioned() ? "PASS (float64)" : "PASS") : "FAIL", ref.trials().size(), graph.outputs().size(), worst.trial(),
                    worst.distribution(), worst.output(), worst.summary(), ref.torchVersion(), torchSeconds,
                    report.interpreterSeconds());
            return report.passed() ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
        } finally {
            if (keep == null) Folders.deleteTree(work);
        }
    }

    /** Runs the compiled kernels on the CPU for each trial's inputs and compares with the reference interpreter. */
    private int checkBackend(Graph graph, TorchReference.Run data, String source) {
        PrintWriter out = spec.commandLine().getOut();
        Lowered lowered = Lowering.lower(kc.passes.rules.Rules.fuse(kc.passes.rules.Rules.canonicalise(graph), kc.passes.schedule.Schedule.EMPTY));
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : graph.params()) {
            HostTensor t = data.params().get(p.name());
            if (t == null) throw new KcFailure(ExitCode.VERIFICATION_FAILED, "check: no weights for " + p.name());
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
                Comparison c = Comparison.of(got.get(o), expected.get(o), Tolerance.forDType(graph.outputs().get(o).type().dtype()));
                passed &= c.passed();
                if (worst == null || !c.passed() && worst.passed() || c.passed() == worst.passed() && c.relativeL2Error() > worst.relativeL2Error()) worst = c;
            }
        }
        out.printf("kc check %s --backend %s (%d kernels; %s)%n", model.file, backend, lowered.kernels().size(), source);
        out.printf("%s  %d trials x %d outputs against the reference interpreter; worst %s  [%.1f s]%n", passed ? "PASS" : "FAIL",
                data.trials().size(), graph.outputs().size(), worst == null ? "-" : worst.summary(), (System.nanoTime() - t0) / 1e9);
        return passed ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
    }

    /** Seeded synthetic data when no PyTorch is at hand: float inputs in [0, 1), weights in [-0.5, 0.5), small ints. */
    private TorchReference.Run synthetic(Graph graph) {
        java.util.Random random = new java.util.Random(seed);
        java.util.function.Function<kc.ir.graph.TensorType, HostTensor> draw = type -> HostTensor.generate(type, i ->
                type.dtype().isFloat() ? (float) random.nextDouble() : type.dtype() == kc.ir.graph.DType.BOOL ? random.nextInt(2) : random.nextInt(2));
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : graph.params()) params.put(p.name(), HostTensor.generate(p.type(), i -> p.type().dtype().isFloat() ? (float) (random.nextDouble() - 0.5) : 1));
        List<TorchReference.Trial> drawn = new ArrayList<>();
        for (int t = 0; t < reference.trials; t++) {
            List<HostTensor> inputs = new ArrayList<>();
            for (Value v : graph.inputs()) inputs.add(draw.apply(v.type()));
            drawn.add(new TorchReference.Trial("synthetic", inputs, List.of(), List.of()));
        }
        return new TorchReference.Run("none", params, drawn);
    }
}
