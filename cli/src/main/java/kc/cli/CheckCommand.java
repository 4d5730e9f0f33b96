package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.Shrinker;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphVerifier;
import kc.runtime.verify.ReferenceCheck;
import kc.runtime.verify.TorchReference;
import kc.runtime.verify.PythonTorch;
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

    @Option(names = "--shrink", description = "First scale the module's integer constants down (halving, largest first, keeping every shape valid) until the problem runs in seconds on a CPU.")
    boolean shrink;

    @Option(names = "--budget", defaultValue = "2e7", paramLabel = "WORK",
            description = "With --shrink: the work budget in scalar operations of the whole graph. Default: ${DEFAULT-VALUE}.")
    double budget;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python with torch to use (default: the first of python3 on PATH, /usr/bin/python3, /usr/local/bin/python3 that has torch and numpy).")
    Path python;

    @Option(names = "--trials", defaultValue = "5", description = "Independent input sets; every one must pass. Default: ${DEFAULT-VALUE}.")
    int trials;

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
        if (shrink) {
            Shrinker.Result r = Shrinker.shrink(model.file, defines, budget);
            defines = r.defines();
            loaded = r.model();
            scale = String.format(" (shrunk: work %.2g -> %.2g)", r.originalWork(), r.work());
        } else {
            loaded = Frontend.load(model.file, defines);
        }
        Graph graph = loaded.graph();
        GraphVerifier.verifyOrThrow(graph);

        Optional<Path> py = PythonTorch.find(python);
        if (py.isEmpty())
            throw new KcFailure(ExitCode.NO_TOOLCHAIN, "check: no Python with torch and numpy found"
                    + (python == null ? " (tried python3 on PATH, /usr/bin/python3, /usr/local/bin/python3; use --python)" : " at " + python));

        Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("kc-check");
        try {
            long t0 = System.nanoTime();
            TorchReference.Run ref;
            try {
                ref = TorchReference.run(py.get(), model.file, defines, trials, seed, work, timeout);
            } catch (TorchReference.ReferenceFailure f) {
                throw new KcFailure(ExitCode.BAD_INPUT, model.file + ": " + f.getMessage());
            }
            double torchSeconds = (System.nanoTime() - t0) / 1e9;
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
            if (keep == null) deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
