package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import kc.frontend.Shrinker;
import kc.ir.graph.Graph;
import kc.passes.cost.MachineModel;
import kc.runtime.ExitCode;
import kc.runtime.Folders;
import kc.runtime.cpu.CpuRunner;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Stage;
import kc.runtime.verify.BackendCheck;
import kc.runtime.verify.PythonTorch;
import kc.runtime.verify.ReferenceCheck;
import kc.runtime.verify.TorchReference;
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
    @Mixin ScheduleOption schedule;

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
        boolean compiles = !backend.equals("reference");
        if (compiles && !CpuRunner.BACKENDS.contains(backend))
            throw new KcFailure(ExitCode.BAD_INPUT, "check: unknown backend '" + backend + "' (known: reference, " + String.join(", ", CpuRunner.BACKENDS) + ")");
        Map<String, String> defines = model.defines;
        String scale = "";
        String shrunkSource = null;
        if (shrink) {
            Shrinker.Result r = Shrinker.shrink(model.file, defines, budget);
            defines = r.defines();
            scale = String.format(" (shrunk: work %.2g -> %.2g%s)", r.originalWork(), r.work(),
                    r.editedSource() ? "; get_inputs literals " + String.join(", ", r.literalEdits()) : "");
            if (r.editedSource()) shrunkSource = r.source();
        }
        MachineModel machine = backend.equals("metal-cpu") ? MachineModel.APPLE : MachineModel.SM_90;
        Pipeline.Input input = Pipeline.Input.of(model.file, defines, machine).withSchedule(schedule.source()).withPrecision(schedule.precision()).withEntry(model.entry()).withSource(shrunkSource);
        // the reference interpreter needs the verified graph; a backend runs the kernels, rendered by its CPU shim
        Compilation compiled = Pipeline.run(input, compiles ? Stage.TILE_REWRITES : Stage.VERIFY);
        Graph graph = compiled.evaluated();

        Optional<Path> py = PythonTorch.find(reference.python);
        if (py.isEmpty() && compiles)
            return checkBackend(graph, compiled, BackendCheck.synthetic(graph, seed, reference.trials), "synthetic inputs and weights (no Python with torch)");
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
                ref = TorchReference.run(py.get(), moduleForTorch, defines, model.entry(), reference.trials, seed, work, timeout);
            } catch (TorchReference.ReferenceFailure f) {
                throw new KcFailure(ExitCode.BAD_INPUT, model.file + ": " + f.getMessage());
            }
            double torchSeconds = (System.nanoTime() - t0) / 1e9;
            if (compiles) return checkBackend(graph, compiled, ref, "PyTorch " + ref.torchVersion() + "'s weights and inputs");
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
    private int checkBackend(Graph graph, Compilation compiled, TorchReference.Run data, String source) {
        PrintWriter out = spec.commandLine().getOut();
        BackendCheck.Report r = BackendCheck.run(graph, compiled.kernels(), data, backend);
        out.printf("kc check %s --backend %s (%d kernels; %s)%n", model.file, backend, compiled.kernels().kernels().size(), source);
        if (!r.problem().isEmpty()) {
            out.println("FAIL  " + r.problem());
            return ExitCode.VERIFICATION_FAILED;
        }
        out.printf("%s  %d trials x %d outputs against the reference interpreter; worst %s  [%.1f s]%n", r.passed() ? "PASS" : "FAIL",
                r.trials(), r.outputs(), r.worst() == null ? "-" : r.worst().summary(), r.seconds());
        return r.passed() ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
    }
}
