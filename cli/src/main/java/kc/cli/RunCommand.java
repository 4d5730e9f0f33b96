package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import kc.codegen.ptx.PtxTarget;
import kc.ir.graph.Graph;
import kc.ir.graph.Json;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.PlanJson;
import kc.passes.cost.CostModel;
import kc.passes.cost.MachineModel;
import kc.passes.schedule.Precision;
import kc.runtime.ExitCode;
import kc.runtime.Folders;
import kc.runtime.bench.Timing;
import kc.runtime.gpu.Ceilings;
import kc.runtime.gpu.GpuDevice;
import kc.runtime.gpu.GpuException;
import kc.runtime.gpu.GpuModel;
import kc.runtime.gpu.GpuTimer;
import kc.runtime.bench.GroupTime;
import kc.runtime.gpu.GpuVerifier;
import kc.runtime.gpu.InterpreterReference;
import kc.runtime.gpu.NoGpuException;
import kc.runtime.gpu.Nvcc;
import kc.runtime.gpu.Reference;
import kc.runtime.gpu.ReferenceServer;
import kc.runtime.gpu.RuntimeKernels;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Emit;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Stage;
import kc.runtime.verify.PythonTorch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Compiles a module, runs it on the GPU and verifies it against PyTorch on the same GPU.",
                "PyTorch runs the original module (seed 42 for the weights, seed 43+t for trial t's inputs; trials",
                "alternate get_inputs() and normal(0, 2) draws; TF32 off; dropout as identity, like kc's graph).",
                "Guards: allclose (atol = rtol = 1e-4 fp32, 1e-2 fp16/bf16; NaN never passes), fully-written (outputs",
                "poisoned before the run), inputs-unchanged, deterministic (a second run on the default stream in fresh",
                "zeroed buffers must match the first on a non-default stream bit for bit), input-dependence (outputs",
                "change where PyTorch's do, input by input). Without PyTorch, kc's float64 interpreter is the reference",
                "on synthetic data (small problems only). Exit status 3 when there is no GPU."})
final class RunCommand implements Callable<Integer> {
    enum EmitOption { ptx, cuda }

    @Mixin ModelOptions model;
    @Mixin ReferenceOptions reference;
    @Mixin TimingOptions timing;
    @Mixin ScheduleOption schedule;
    @Mixin CacheOptions cache;

    @Option(names = "--emit", defaultValue = "ptx", description = "ptx (kc's own PTX, loaded through the driver's JIT; default) or cuda (kc's CUDA C, compiled with nvcc).")
    EmitOption emit;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the weights (trial t's inputs use seed+1+t). Default: ${DEFAULT-VALUE}.")
    int seed;

    @Option(names = "--time", description = "After verifying, time the forward: 3 warm-ups, then --timing-trials runs, each after a 256 MB L2 flush; CUDA events.")
    boolean time;

    @Option(names = "--time-only", description = "Time without verifying (kc bench's timing phase, after verifying the same compile in parallel).")
    boolean timeOnly;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Limit for each answer of the PyTorch reference. Default: ${DEFAULT-VALUE}.")
    long timeout;

    @Option(names = "--kernels", paramLabel = "DIR", description = "Run these kernels instead of compiling: DIR holds plan.json and the kernel file it names (.ptx, or .cu compiled with nvcc), as kc compile writes them. For hand-written or edited kernels; the verification is the same.")
    Path kernels;

    @Option(names = "--no-ipc", description = "Take the reference's tensors through .npy files even where CUDA IPC (device memory shared with the PyTorch process, no host copies) works.")
    boolean noIpc;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON (used by kc bench).")
    Path json;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        RunResult.Builder result = new RunResult.Builder(model.file.toString());
        try (GpuDevice device = openDevice()) {
            result.device = device.info().name();
            long t0 = System.nanoTime();
            PtxTarget arch = ptxTarget(device);
            Pipeline.Input input = Pipeline.Input.of(model.file, model.defines, MachineModel.forTarget(arch.arch))
                    .withSchedule(schedule.source()).withPrecision(schedule.precision()).withEntry(model.entry()).withEmit(Emit.valueOf(emit.name().toUpperCase(Locale.ROOT)));
            // an expert's (or a test's) kernels are judged the same way: only the graph is needed of kc's compile
            Compilation compiled = Pipeline.run(input, kernels != null ? Stage.FUSE : Stage.RENDER);
            Graph graph = compiled.evaluated();
            String ptx;
            LaunchPlan plan;
            if (kernels != null) {
                PlanJson.Read read;
                try {
                    read = PlanJson.read(Files.readString(kernels.resolve("plan.json")));
                } catch (IOException | IllegalArgumentException | ClassCastException e) {
                    throw new KcFailure(ExitCode.BAD_INPUT, kernels.resolve("plan.json") + ":1:1: error: " + e.getMessage());
                }
                plan = read.plan();
                String source = Files.readString(kernels.resolve(read.kernelFile()));
                ptx = read.kernelFile().endsWith(".ptx") ? source : Nvcc.ptx(source, device.info().target());
            } else {
                plan = compiled.kernels().plan();
                String rendered = compiled.rendered().source();
                ptx = emit == EmitOption.ptx ? rendered : Nvcc.ptx(rendered, device.info().target());
            }
            result.compileSeconds = (System.nanoTime() - t0) / 1e9;
            result.kernels = (int) plan.launches().stream().map(LaunchPlan.KernelLaunch::kernel).distinct().count();
            result.launches = plan.launches().size();
            result.precision = plan.precision();
            Ceilings ceilings = cache.ceilings().load(device.info().name()).orElse(null);
            MachineModel machine = device.info().machineModel(ceilings);
            Precision planned = plan.precision() == null ? null : Precision.of(plan.precision());
            CostModel.Estimate estimate = CostModel.estimate(compiled.graph(), machine, planned == null ? Precision.DEFAULT : planned);
            result.floorMs = estimate.idealSeconds() * 1e3;

            out.printf(Locale.ROOT, "kc run %s on %s: %d kernels, %d launches (%s, precision %s, compiled in %.2f s)%n", model.file,
                    device.info().summary(), result.kernels, result.launches, kernels != null ? "kernels from " + kernels : "--emit " + emit,
                    plan.precision() == null ? "unrecorded" : plan.precision(), result.compileSeconds);
            GpuModel gpuModel = new GpuModel(device, ptx, plan);
            RuntimeKernels helpers = new RuntimeKernels(device);
            if (timeOnly) {
                result.verdict = "TIMED";
                out.println("  not verified (--time-only): timing kernels verified by an earlier run of the same compile");
            } else try (Reference torch = reference(graph, device)) {
                out.println("  reference: " + torch.describe());
                GpuVerifier.Verification v = new GpuVerifier(device, helpers, gpuModel, torch).verify(reference.trials);
                result.verification(v);
                report(out, v);
            } catch (Reference.ReferenceException e) {
                result.verdict = "NO_REFERENCE";
                result.detail = e.getMessage();
                out.println("NO REFERENCE  " + e.getMessage());
            }
            if ((time || timeOnly) && ("PASS".equals(result.verdict) || timeOnly)) {
                try (GpuModel.Bound run = gpuModel.allocate()) {
                    fillInputs(helpers, gpuModel, run);
                    Timing t = new GpuTimer(device).time(run, 3, timing.trials, timing.budget);
                    result.timing = t;
                    out.printf(Locale.ROOT, "  time: %.4f ms median, %.4f ms mean (%d trials, L2 flushed before each); floor %.4f ms on %s (%.1fx over floor)%n",
                            t.medianMs(), t.meanMs(), t.trials(), result.floorMs, ceilings != null ? "measured ceilings" : "published figures",
                            t.medianMs() / result.floorMs);
                    if (kernels == null) { // kc's own compile: its launches' groups are known
                        int trials = Math.min(GROUP_TRIALS, t.trials());
                        result.groups = GroupTime.of(compiled.kernels().launchGroups(), new GpuTimer(device).perLaunch(run, 1, trials), estimate);
                        reportGroups(out, result.groups, trials);
                    }
                }
            }
        } catch (GpuException e) {
            result.verdict = "ERROR";
            result.detail = e.getMessage();
            out.println("ERROR  " + e.getMessage());
        } finally {
            if (json != null && result.verdict != null) Folders.writeAtomically(json, result.build().toJson());
        }
        return switch (result.verdict == null ? "ERROR" : result.verdict) {
            case "PASS", "TIMED" -> ExitCode.OK;
            case "NO_REFERENCE" -> ExitCode.NO_TOOLCHAIN;
            default -> ExitCode.VERIFICATION_FAILED;
        };
    }

    private static GpuDevice openDevice() {
        try {
            return GpuDevice.open(0);
        } catch (NoGpuException e) {
            throw new KcFailure(ExitCode.NO_TOOLCHAIN, "run: " + e.getMessage());
        }
    }

    private static PtxTarget ptxTarget(GpuDevice device) {
        // A newer GPU than kc knows JIT-compiles the newest PTX kc writes.
        return device.info().ccMajor() >= 9 ? PtxTarget.byName("sm_90") : PtxTarget.byName("sm_80");
    }

    private Reference reference(Graph graph, GpuDevice device) throws IOException, Reference.ReferenceException {
        Optional<Path> py = PythonTorch.find(reference.python);
        if (py.isPresent()) {
            ReferenceServer server = ReferenceServer.start(py.get(), model.file, model.defines, model.entry(), seed, "cuda", timeout);
            if (!noIpc) server.useIpc(device);
            return server;
        }
        return new InterpreterReference(graph, seed);
    }

    /** Timing inputs: seeded uniform values (the times do not depend on them; weights likewise). */
    private static void fillInputs(RuntimeKernels helpers, GpuModel model, GpuModel.Bound run) {
        long seed = 1;
        for (LaunchPlan.Buffer b : model.plan().buffers())
            if (b.role() == LaunchPlan.Role.INPUT || b.role() == LaunchPlan.Role.PARAM)
                helpers.fillUniform(run.buffer(b.name()), b.dtype(), b.shape().numel(), seed++);
    }

    /** Forwards timed launch by launch for the per-group figures (each forward's events cost a little). */
    static final int GROUP_TRIALS = 20;
    /** Groups the per-group table shows, the slowest first. */
    static final int GROUP_ROWS = 8;

    private static void reportGroups(PrintWriter out, List<GroupTime> groups, int trials) {
        out.printf(Locale.ROOT, "  by group (each launch timed between events inside %d forwards; medians), slowest first:%n", trials);
        List<GroupTime> slowest = new ArrayList<>(groups);
        slowest.sort(java.util.Comparator.comparingDouble(GroupTime::ms).reversed());
        for (GroupTime g : slowest.subList(0, Math.min(GROUP_ROWS, slowest.size())))
            out.printf(Locale.ROOT, "    %-28s %2d launch%s %9.4f ms  floor %9.4f ms  %5.1fx%s%n", g.group(), g.launches(), g.launches() == 1 ? " " : "es",
                    g.ms(), g.floorMs(), g.overFloor(), g.contraction() ? "  contraction" : "");
        if (slowest.size() > GROUP_ROWS) out.printf(Locale.ROOT, "    (%d more groups)%n", slowest.size() - GROUP_ROWS);
    }

    private static void report(PrintWriter out, GpuVerifier.Verification v) {
        String worst = v.worst() == null ? "-" : v.worstWhere() + " " + v.worst().summary();
        out.printf("%s  %d trials; worst: %s%n", v.passed() ? (v.float64Arbitrated().isEmpty() ? "PASS" : "PASS (float64)") : "FAIL", v.trials(), worst);
        for (String a : v.float64Arbitrated()) out.println("  float64 arbiter: " + a);
        List<String> parts = new ArrayList<>();
        for (GpuVerifier.GuardResult g : v.guards()) parts.add(g.guard() + (g.passed() ? " ok" : " FAILED"));
        out.println("  guards: " + String.join(", ", parts));
        for (GpuVerifier.GuardResult g : v.guards()) if (!g.passed()) out.println("  " + g.guard() + ": " + g.detail());
    }

    /** What kc run found, as kc bench reads it back (JSON). */
    record RunResult(String problem, String device, String verdict, String detail, double compileSeconds, int kernels,
                     int launches, double floorMs, double maxAbsError, double relL2Error, List<String> failedGuards,
                     String reference, Timing timing, String precision, List<GroupTime> groups) {
        String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("problem", problem);
            m.put("device", String.valueOf(device));
            m.put("verdict", verdict);
            m.put("detail", String.valueOf(detail));
            m.put("reference", String.valueOf(reference));
            m.put("compile_seconds", compileSeconds);
            m.put("precision", precision);
            // unknown (-1: it failed before it had a launch plan) is null, never a count of 0
            m.put("kernels", kernels < 0 ? null : kernels);
            m.put("launches", launches < 0 ? null : launches);
            m.put("floor_ms", floorMs);
            m.put("max_abs_error", maxAbsError);
            m.put("rel_l2_error", relL2Error);
            m.put("failed_guards", failedGuards);
            if (timing != null) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("median_ms", timing.medianMs());
                t.put("mean_ms", timing.meanMs());
                t.put("min_ms", timing.minMs());
                t.put("max_ms", timing.maxMs());
                t.put("trials", timing.trials());
                m.put("kc", t);
            }
            if (groups != null) m.put("groups", groups.stream().map(GroupTime::toJson).toList());
            return Json.write(m) + "\n";
        }

        static final class Builder {
            final String problem;
            String device, verdict, detail = "", reference, precision;
            double compileSeconds, floorMs = Double.NaN, maxAbs = Double.NaN, relL2 = Double.NaN;
            int kernels = -1, launches = -1;
            List<String> failedGuards = List.of();
            Timing timing;
            List<GroupTime> groups;

            Builder(String problem) { this.problem = problem; }

            void verification(GpuVerifier.Verification v) {
                verdict = v.passed() ? "PASS" : "FAIL";
                failedGuards = v.failedGuards();
                detail = v.guards().stream().filter(g -> !g.passed()).map(g -> g.guard() + ": " + g.detail()).findFirst()
                        .orElse(v.float64Arbitrated().isEmpty() ? "" : "float64 arbiter: " + v.float64Arbitrated().size() + " output(s) nearer PyTorch's float64 result than its float32 one is");
                reference = v.reference();
                if (v.worst() != null) { maxAbs = v.worst().maxAbsError(); relL2 = v.worst().relativeL2Error(); }
            }

            RunResult build() {
                return new RunResult(problem, device, verdict, detail, compileSeconds, kernels, launches, floorMs, maxAbs, relL2,
                        failedGuards, reference, timing, precision, groups);
            }
        }
    }
}
