package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.codegen.metal.MetalRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
import kc.frontend.Frontend;
import kc.frontend.Shrinker;
import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.tile.Kernel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.runtime.verify.Comparison;
import kc.runtime.verify.Tolerance;

/**
 * The codegen sweep CI can afford on every run: the problems listed in src/test/resources/codegen-sample.txt, each
 * lowered twice, at its real size and shrunk to CPU size. Every kernel of both goes through all three renderers,
 * ptxas and nvcc (sm_90 and sm_80); the shrunk kernels also run on both CPU shims against the reference interpreter.
 *
 * <p>The sample must use every feature ({@link CodegenFeatures}: Graph IR ops and scalar operations, Tile IR
 * statement and expression kinds with their types) that any shared problem's real-size lowering uses, so a
 * feature that appears only outside the sample fails this test, named with problems to add. The full sweeps are in
 * `mvn -Pcodegen-sweep verify`.
 */
@Tag("sweep")
class CodegenSampleTest {
    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");
    static final Path SAMPLE = Path.of("src", "test", "resources", "codegen-sample.txt");
    /** Shrinking aims at this much work per sampled problem: the CPU shims run it in about a second. */
    static final double BUDGET = 2e5;

    @Test void sampleUsesEveryFeatureOfTheSharedProblemsAndPassesOnEveryRenderer() throws Exception {
        assumeTrue(Files.isDirectory(ROOT.resolve("level1")), "../shared/kernelbench is absent: codegen sample skipped");
        List<String> sample = sample();
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            files = s.filter(p -> p.toString().endsWith(".py") && p.getParent().getFileName().toString().startsWith("level")).sorted().toList();
        }
        // Every shared problem at its real size: lowering without compiling is cheap (seconds for all).
        Map<String, Set<String>> used = new ConcurrentHashMap<>();
        Map<String, List<Kernel>> sampleKernels = new ConcurrentHashMap<>();
        // what kc compiles for Apple GPUs (their own schedule: no tensor cores, 32 KB of threadgroup memory)
        Map<String, List<Kernel>> appleKernels = new ConcurrentHashMap<>();
        Map<String, String> notLowered = new ConcurrentHashMap<>();
        files.parallelStream().forEach(p -> {
            String name = name(p);
            try {
                Graph g = Frontend.load(p, Map.of()).graph();
                Graph fused = kc.passes.rules.Rules.optimised(g);
                Lowered lowered = Lowering.lower(fused);
                Set<String> f = CodegenFeatures.ofGraph(fused);
                f.addAll(CodegenFeatures.ofKernels(lowered.kernels()));
                used.put(name, f);
                if (sample.contains(name)) {
                    sampleKernels.put(name, renamed(name, "full", lowered.kernels()));
                    appleKernels.put(name, Lowering.lower(fused, DefaultScheduler.schedule(fused, MachineModel.APPLE), MachineModel.APPLE).kernels());
                }
            } catch (RuntimeException | StackOverflowError e) {
                notLowered.put(name, String.valueOf(e)); // the frontend and codegen sweeps report these
            }
        });

        List<String> failures = new ArrayList<>();
        Set<String> covered = new TreeSet<>(), run = new TreeSet<>();
        StringBuilder report = new StringBuilder();
        for (String name : sample) {
            if (!used.containsKey(name)) {
                failures.add(name + " (on " + SAMPLE + ") " + (notLowered.containsKey(name) ? "does not lower: " + notLowered.get(name) : "is no shared problem"));
                continue;
            }
            covered.addAll(used.get(name));
            try {
                Graph g = Shrinker.shrink(ROOT.resolve(name), Map.of(), BUDGET).model().graph();
                Graph fused = kc.passes.rules.Rules.optimised(g);
                Lowered lowered = Lowering.lower(fused);
                Set<String> f = CodegenFeatures.ofGraph(fused);
                f.addAll(CodegenFeatures.ofKernels(lowered.kernels()));
                covered.addAll(f);
                run.addAll(f);
                List<Kernel> all = new ArrayList<>(sampleKernels.get(name));
                all.addAll(renamed(name, "cpu", lowered.kernels()));
                sampleKernels.put(name, all);
                report.append("ok   ").append(name).append("  ").append(runOnCpuShims(g, lowered)).append('\n');
            } catch (Throwable t) {
                failures.add(name + ": " + t.getMessage());
                report.append("FAIL ").append(name).append("  ").append(t.getMessage()).append('\n');
            }
        }
        report.append(compileAll(sample.stream().filter(sampleKernels::containsKey).toList(), sampleKernels, appleKernels, failures));

        // What any shared problem uses and no sampled kernel does, with the problems that use it.
        Map<String, List<String>> missing = new TreeMap<>();
        for (var e : new TreeMap<>(used).entrySet())
            for (String f : e.getValue())
                if (!covered.contains(f)) missing.computeIfAbsent(f, k -> new ArrayList<>()).add(e.getKey());
        Set<String> compiledOnly = new TreeSet<>(covered);
        compiledOnly.removeAll(run);
        report.append(sample.size()).append(" sampled problems use ").append(covered.size()).append(" features; ")
              .append(missing.size()).append(" of the shared problems' features missing; ").append(failures.size()).append(" failed\n")
              .append("features compiled at real size only, not run on the CPU shims: ").append(compiledOnly).append('\n');
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "codegen-sample.txt"), report);
        System.out.print(report);

        StringBuilder uncovered = new StringBuilder();
        missing.forEach((f, problems) -> uncovered.append("\n  ").append(f).append(": used by ")
                .append(String.join(", ", problems.subList(0, Math.min(3, problems.size())))).append(problems.size() > 3 ? ", ..." : ""));
        assertTrue(missing.isEmpty(), "features of the shared problems that no sampled problem uses; add a problem that uses each to " + SAMPLE + ":" + uncovered);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The sample's problem names, in file order: one per line, # starts a comment. */
    static List<String> sample() throws java.io.IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(SAMPLE)) {
            String name = line.replaceAll("#.*", "").strip();
            if (!name.isEmpty()) names.add(name);
        }
        return names;
    }

    static String name(Path p) { return p.getParent().getFileName() + "/" + p.getFileName(); }

    /** Kernels named after their problem and size (level1/4_Matrix….py -> l1_4_full_…), so that all fit in one module. */
    private static List<Kernel> renamed(String problem, String size, List<Kernel> kernels) {
        String prefix = problem.replaceAll("^level(\\d+)/(\\d+)_.*", "l$1_$2").replaceAll("\\W", "_") + "_" + size + "_";
        return kernels.stream().map(k -> new Kernel(prefix + k.name(), k.params(), k.shared(), k.launch(), k.body())).toList();
    }

    /** Both CPU shims (CUDA C and Metal) against the reference interpreter on seeded data. */
    private static String runOnCpuShims(Graph g, Lowered lowered) {
        Random random = new Random(7);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : g.inputs())
            inputs.add(HostTensor.generate(v.type(), i -> v.type().dtype().isFloat() ? (float) random.nextDouble() : random.nextInt(2)));
        Map<String, HostTensor> params = new LinkedHashMap<>();
        for (Value p : g.params()) {
            long fanIn = p.type().rank() >= 2 ? p.type().shape().numel() / p.type().shape().dim(0) : 1;
            double scale = 1 / Math.sqrt(Math.max(1, fanIn));
            params.put(p.name(), HostTensor.generate(p.type(), i -> p.type().dtype().isFloat() ? (float) ((random.nextDouble() * 2 - 1) * scale) : 1));
        }
        List<HostTensor> expected = Interpreter.run(g, inputs, params);
        StringBuilder sb = new StringBuilder(lowered.kernels().size() + " kernels");
        for (String backend : CpuRunner.BACKENDS) {
            List<HostTensor> got = CpuRunner.run(lowered.kernels(), lowered.plan(), inputs, params, backend);
            for (int o = 0; o < expected.size(); o++) {
                Comparison c = Comparison.of(got.get(o), expected.get(o), Tolerance.forDType(g.outputs().get(o).type().dtype()));
                if (!c.passed()) throw new AssertionError(backend + " output " + o + ": " + c.summary());
            }
            sb.append(", ").append(backend).append(" agrees");
        }
        return sb.toString();
    }

    /**
     * Every sampled problem's real-size kernels as kc compiles them for Apple GPUs rendered to Metal, every sampled
     * kernel (both sizes) as one PTX module and one CUDA C unit per
     * architecture through ptxas and nvcc: one tool run each, not one per problem. When a tool rejects the whole,
     * each problem is tried alone to name the one at fault.
     */
    private static String compileAll(List<String> problems, Map<String, List<Kernel>> kernels, Map<String, List<Kernel>> apple,
                                     List<String> failures) throws Exception {
        List<Kernel> all = problems.stream().flatMap(p -> kernels.get(p).stream()).toList();
        List<String> accepted = new ArrayList<>();
        int before = failures.size();
        for (String p : problems) {
            try {
                new MetalRenderer().render(apple.get(p));
            } catch (RuntimeException e) {
                failures.add(p + ": Metal renderer: " + e.getMessage());
            }
        }
        if (failures.size() == before) accepted.add("Metal renderer");
        if (Toolchain.present(PtxasCheck.available(), "ptxas is not installed: the sample's PTX is not assembled")) {
            for (PtxTarget t : PtxTarget.values()) {
                if (ptxasError(all, t) == null) { accepted.add("ptxas " + t.arch); continue; }
                for (String p : problems) {
                    String err = ptxasError(kernels.get(p), t);
                    if (err != null) failures.add(p + ": ptxas " + t.arch + ": " + err);
                }
            }
        }
        if (Toolchain.present(Nvcc.available(), "nvcc is not installed: the sample's CUDA C is not compiled")) {
            for (String arch : List.of("sm_90", "sm_80")) {
                if (Nvcc.compile(CudaRenderer.render(all), arch) == null) { accepted.add("nvcc " + arch); continue; }
                for (String p : problems) {
                    String err = Nvcc.compile(CudaRenderer.render(kernels.get(p)), arch);
                    if (err != null) failures.add(p + ": nvcc " + arch + ": " + err);
                }
            }
        }
        return all.size() + " kernels of both sizes; accepted by " + String.join(", ", accepted) + "\n";
    }

    private static String ptxasError(List<Kernel> kernels, PtxTarget t) {
        try {
            PtxasCheck.Result r = PtxasCheck.run(new PtxRenderer().render(kernels, t), t.arch);
            return r.ok() ? null : r.error();
        } catch (RuntimeException e) {
            return "PTX renderer: " + e;
        }
    }
}
