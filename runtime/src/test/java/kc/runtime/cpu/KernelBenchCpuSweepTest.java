package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.frontend.CompileError;
import kc.frontend.Shrinker;
import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.tile.Kernel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.runtime.verify.ExpectedFailures;

/**
 * Every KernelBench problem, shrunk to about 1e6 body evaluations: lowered with the default schedule, rendered as
 * CUDA C, run on the CPU shim and compared with the reference interpreter on the same seeded data; then all kernels
 * of all problems compiled by nvcc for sm_90 and sm_80 (skipped with a message when nvcc is absent, failed under
 * CI=true). Gated by src/test/resources/expected-failures/cuda-cpu.txt (see {@link ExpectedFailures}).
 * Report: target/kernelbench-cpu.txt; today's failures in the list's format: target/expected-failures/cuda-cpu.txt.
 */
@Tag("codegen-sweep") // the full sweep takes 10+ minutes: mvn -Pcodegen-sweep verify; CI runs CodegenSampleTest, a sample covering every feature
class KernelBenchCpuSweepTest {
    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");
    static final double BUDGET = 1e6;
    /**
     * Problems the shrinker cannot bring under this much work are too slow for the interpreter and the CPU shim here
     * (-Dkc.maxWork; the expected-failure list holds for the default).
     */
    static final double MAX_WORK = Double.parseDouble(System.getProperty("kc.maxWork", "3e7"));

    static List<Path> problems() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            return s.filter(p -> p.toString().endsWith(".py") && p.getParent().getFileName().toString().startsWith("level")).sorted().toList();
        }
    }

    static String name(Path p) { return p.getParent().getFileName() + "/" + p.getFileName(); }

    /** Data for one value: inputs in [-1, 1) (small non-negative integers for integer dtypes); weights scaled by fan-in. */
    static HostTensor data(Value v, boolean param, Random rnd) {
        DType t = v.type().dtype();
        long[] dims = v.type().shape().toArray();
        String key = v.name() == null ? "" : v.name();
        double scale = 1, offset = 0;
        if (param && dims.length >= 2) scale = 1 / Math.sqrt(Math.max(1, v.type().shape().numel() / dims[0]));
        else if (param && (key.endsWith("running_var") || key.endsWith("weight"))) { scale = 0.5; offset = 1; }
        else if (param) scale = 0.5;
        final double s = scale, o = offset;
        return HostTensor.generate(v.type(), i -> switch (t) {
            case BOOL -> rnd.nextBoolean() ? 1 : 0;
            case I32, I64 -> rnd.nextInt(4);
            default -> (float) (o + s * (rnd.nextDouble() * 2 - 1));
        });
    }

    /** One problem's report line; {@code failure} is why it did not agree (SKIP, ILL or FAIL), null when it did. */
    record Outcome(String name, String line, String failure, List<Kernel> kernels) {
        /** A problem that did not agree: verdict SKIP (not run), ILL (ill-conditioned) or FAIL. */
        static Outcome failed(String name, String verdict, String why, List<Kernel> kernels) {
            return new Outcome(name, String.format("%-4s %s  %s", verdict, name, why), verdict.toLowerCase() + ": " + why, kernels);
        }
    }

    static Outcome one(Path p, int index) {
        String name = name(p);
        long t0 = System.nanoTime();
        Graph g;
        try {
            Shrinker.Result shrunk = Shrinker.shrink(p, Map.of(), BUDGET);
            if (shrunk.work() > MAX_WORK) {
                // too slow to run here, but its kernels still go to nvcc
                List<Kernel> ks = Lowering.lower(kc.passes.rules.Rules.optimised(shrunk.model().graph())).kernels().stream()
                        .map(k -> new Kernel("m" + index + "_" + k.name(), k.params(), k.shared(), k.launch(), k.body())).toList();
                return Outcome.failed(name, "SKIP", String.format("shrinks only to %.2g body evaluations (limit %.0g); lowered: %d kernels",
                        shrunk.work(), MAX_WORK, ks.size()), ks);
            }
            g = shrunk.model().graph();
        } catch (CompileError e) {
            return Outcome.failed(name, "SKIP", "frontend: " + e.getMessage().lines().findFirst().orElse(""), List.of());
        } catch (RuntimeException e) {
            return Outcome.failed(name, "SKIP", "frontend internal: " + e, List.of());
        }
        Lowered low;
        try {
            low = Lowering.lower(kc.passes.rules.Rules.optimised(g));
        } catch (RuntimeException e) {
            return Outcome.failed(name, "FAIL", "lower: " + e.getMessage().lines().findFirst().orElse(""), List.of());
        }
        String cuda = CudaRenderer.render(low.kernels());
        List<Kernel> renamed = low.kernels().stream()
                .map(k -> new Kernel("m" + index + "_" + k.name(), k.params(), k.shared(), k.launch(), k.body())).toList();
        try {
            Random rnd = new Random(42);
            List<HostTensor> inputs = new ArrayList<>();
            for (Value v : g.inputs()) inputs.add(data(v, false, rnd));
            Map<String, HostTensor> params = new HashMap<>();
            for (Value v : g.params()) params.put(v.name(), data(v, true, rnd));
            List<HostTensor> out = CpuRunner.runCuda(low.kernels(), low.plan(), cuda, inputs, params);
            List<HostTensor> ref = Interpreter.run(g, inputs, params);
            CpuCheck.Result res = CpuCheck.compare(out, ref);
            if (!res.passed() && illConditioned(g, inputs, params, ref))
                return Outcome.failed(name, "ILL", String.format("%d kernels: ill-conditioned (a 1e-6 relative perturbation of the data moves the "
                        + "reference past the tolerance); %s", low.kernels().size(), res.message()), renamed);
            if (!res.passed()) return Outcome.failed(name, "FAIL", low.kernels().size() + " kernels: " + res.message(), renamed);
            return new Outcome(name, String.format("ok   %s  %d kernels  %.1f s", name, low.kernels().size(), (System.nanoTime() - t0) / 1e9), null, renamed);
        } catch (RuntimeException e) {
            return Outcome.failed(name, "FAIL", "run:" + String.valueOf(e.getMessage()).lines().limit(3).reduce("", (a, b) -> a + " " + b), renamed);
        }
    }

    /**
     * True when the float64 reference itself moves past the tolerance under a 1e-6 relative perturbation of inputs
     * and parameters: then float32 kernels cannot be expected to agree, whatever their correctness.
     */
    static boolean illConditioned(Graph g, List<HostTensor> inputs, Map<String, HostTensor> params, List<HostTensor> ref) {
        Random rnd = new Random(7);
        java.util.function.UnaryOperator<HostTensor> nudge = t -> {
            if (!t.dtype().isFloat()) return t;
            double[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] *= 1 + 1e-6 * (rnd.nextBoolean() ? 1 : -1);
            return HostTensor.of(t.type(), d);
        };
        List<HostTensor> in2 = inputs.stream().map(nudge).toList();
        Map<String, HostTensor> p2 = new HashMap<>();
        params.forEach((k, v) -> p2.put(k, nudge.apply(v)));
        return !CpuCheck.compare(Interpreter.run(g, in2, p2), ref).passed();
    }

    @Test
    void everyProblemLowersRunsOnTheCpuAndCompilesWithNvcc() throws Exception {
        assumeTrue(Files.isDirectory(ROOT.resolve("level1")), "../shared/kernelbench is absent: sweep skipped");
        String only = System.getProperty("kc.only");
        List<Path> problems = problems().stream().filter(p -> only == null || name(p).matches(only)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            Path p = problems.get(i);
            int idx = i;
            futures.add(pool.submit(() -> one(p, idx)));
        }
        ExpectedFailures expected = ExpectedFailures.read(Path.of("src", "test", "resources", "expected-failures", "cuda-cpu.txt"));
        List<String> lines = new ArrayList<>();
        List<Kernel> all = new ArrayList<>();
        Map<String, String> failed = new HashMap<>();
        for (Future<Outcome> f : futures) {
            Outcome o = f.get();
            lines.add(o.line());
            all.addAll(o.kernels());
            if (o.failure() != null) failed.put(o.name(), o.failure());
            System.out.println(o.line());
        }
        pool.shutdown();
        String nvcc = nvccCheck(all);
        Collections.sort(lines);
        lines.add(nvcc);
        String summary = (problems.size() - failed.size()) + " of " + problems.size() + " problems agree with the interpreter on the CPU shim (CUDA C)";
        lines.add(summary);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "kernelbench-cpu.txt"), lines);
        System.out.println(nvcc);
        System.out.println(summary);
        Path actual = Path.of("target", "expected-failures", "cuda-cpu.txt");
        ExpectedFailures.write(actual, failed);
        List<String> wrong = expected.check(problems.stream().map(KernelBenchCpuSweepTest::name).toList(), failed, only == null);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n(today's failures in the list's format: " + actual + "; report: target/kernelbench-cpu.txt)");
        assertTrue(!nvcc.startsWith("nvcc FAILED"), nvcc);
    }

    /**
     * Debugging aid: -Dkc.problem=level3/X.py makes every node an output and prints the first node whose CPU value
     * differs from the interpreter's.
     */
    @Test
    void firstDivergingNode() throws Exception {
        String problem = System.getProperty("kc.problem");
        assumeTrue(problem != null, "set -Dkc.problem=levelN/FILE.py to locate the first diverging node");
        Graph g = Shrinker.shrink(ROOT.resolve(problem), Map.of(), BUDGET).model().graph();
        List<Value> all = g.nodes().stream().map(n -> n.result()).toList();
        Graph every = new Graph(g.name(), g.inputs(), g.params(), g.nodes(), all);
        Lowered low = Lowering.lower(every);
        Random rnd = new Random(42);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : g.inputs()) inputs.add(data(v, false, rnd));
        Map<String, HostTensor> params = new HashMap<>();
        for (Value v : g.params()) params.put(v.name(), data(v, true, rnd));
        List<HostTensor> out = CpuRunner.runCuda(low.kernels(), low.plan(), CudaRenderer.render(low.kernels()), inputs, params);
        List<HostTensor> ref = Interpreter.run(every, inputs, params);
        for (int i = 0; i < all.size(); i++) {
            CpuCheck.Result r = CpuCheck.compare(List.of(out.get(i)), List.of(ref.get(i)));
            if (!r.passed()) {
                System.out.println("first diverging node: " + g.nodes().get(i).result() + " " + g.nodes().get(i).op() + " origin "
                        + g.nodes().get(i).origin() + ": " + r.message());
                return;
            }
        }
        System.out.println("no node diverges");
    }

    /** Compiles every kernel (renamed per problem) in one unit per architecture. */
    static String nvccCheck(List<Kernel> kernels) throws Exception {
        if (!Toolchain.present(Nvcc.available(), "nvcc is not installed: the kernels are not compiled")) return "nvcc absent: the nvcc acceptance part is skipped";
        StringBuilder res = new StringBuilder();
        for (String arch : List.of("sm_90", "sm_80")) {
            String err = Nvcc.compile(CudaRenderer.render(kernels), arch);
            if (err != null) return "nvcc FAILED for " + arch + " on " + kernels.size() + " kernels:\n" + err;
            res.append(res.isEmpty() ? "" : "; ").append("nvcc ").append(arch).append(" accepts all ").append(kernels.size()).append(" kernels");
        }
        return res.toString();
    }
}
