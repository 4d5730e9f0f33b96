package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.frontend.Shrinker;
import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.runtime.verify.ExpectedFailures;
import kc.runtime.verify.Tolerance;

/**
 * Every KernelBench problem, shrunk to CPU size: lowered with the default schedule, rendered to MSL, run on the CPU
 * through the Metal shim and compared with kc's reference interpreter on the same seeded inputs and weights.
 * Gated by src/test/resources/expected-failures/metal-cpu.txt (see {@link ExpectedFailures}); today's failures in
 * the list's format go to target/expected-failures/metal-cpu.txt.
 */
@Tag("codegen-sweep") // the full sweep takes 10+ minutes: mvn -Pcodegen-sweep verify; CI runs CodegenSampleTest, a sample covering every feature
class MetalCpuSweepTest {
    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");
    /** Problems that cannot shrink below this many body evaluations are not run (the interpreter would take minutes). */
    static final double MAX_WORK = 3e7;
    /** The shrink budget (-Dkc.budget): the reference interpreter's time grows with it; the list holds for the default. */
    static final double BUDGET = Double.parseDouble(System.getProperty("kc.budget", "1e6"));

    @Test
    void kernelBenchAgreesWithTheInterpreter() throws Exception {
        assumeTrue(Files.isDirectory(ROOT.resolve("level1")), "../shared/kernelbench is absent");
        List<Path> problems;
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            problems = s.filter(p -> p.toString().endsWith(".py") && p.getParent().getFileName().toString().startsWith("level")).sorted().toList();
        }
        String only = System.getProperty("kc.only");
        ExpectedFailures expected = ExpectedFailures.read(Path.of("src", "test", "resources", "expected-failures", "metal-cpu.txt"));
        Map<String, List<String>> failures = new LinkedHashMap<>();
        List<String> ran = new ArrayList<>();
        Map<String, String> failed = new HashMap<>();
        for (Path p : problems) {
            String name = p.getParent().getFileName() + "/" + p.getFileName();
            if (only != null && java.util.Arrays.stream(only.split(",")).noneMatch(name::contains)) continue;
            ran.add(name);
            long t0 = System.nanoTime();
            String verdict = check(p);
            System.out.printf("%-60s %s (%.1f s)%n", name, verdict.isEmpty() ? "agree" : verdict.lines().findFirst().orElse(""), (System.nanoTime() - t0) / 1e9);
            if (verdict.isEmpty()) continue;
            failed.put(name, verdict);
            failures.computeIfAbsent(verdict.split(":")[0], k -> new ArrayList<>()).add(name + ": " + verdict.lines().limit(6).reduce("", (a, b) -> a + "\n    " + b));
        }
        System.out.println("metal-cpu sweep: " + (ran.size() - failed.size()) + " of " + ran.size() + " agree with the interpreter");
        failures.forEach((kind, list) -> {
            System.out.println(kind + " (" + list.size() + "):");
            list.forEach(f -> System.out.println("  " + f));
        });
        Path actual = Path.of("target", "expected-failures", "metal-cpu.txt");
        ExpectedFailures.write(actual, failed);
        List<String> wrong = expected.check(ran, failed, only == null);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n(today's failures in the list's format: " + actual + ")");
    }

    /** An empty string when kc's Metal output agrees with the interpreter, else "stage: reason". */
    static String check(Path problem) {
        Graph g;
        try {
            Shrinker.Result shrunk = Shrinker.shrink(problem, Map.of(), BUDGET);
            if (shrunk.work() > MAX_WORK) return String.format("skipped: shrinks only to %.2g body evaluations (limit %.0g)", shrunk.work(), MAX_WORK);
            g = shrunk.model().graph();
        } catch (Throwable e) {
            return "frontend: " + e;
        }
        Lowered lowered;
        try {
            lowered = Lowering.lower(kc.passes.rules.Rules.optimised(g));
        } catch (Throwable e) {
            return "lowering: " + e;
        }
        Random rnd = new Random(1234);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : g.inputs()) inputs.add(random(v, false, rnd));
        Map<String, HostTensor> params = new HashMap<>();
        for (Value v : g.params()) params.put(v.name(), random(v, true, rnd));
        List<HostTensor> want;
        long t0 = System.nanoTime();
        try {
            want = Interpreter.run(g, inputs, params);
        } catch (Throwable e) {
            return "interpreter: " + e;
        }
        long t1 = System.nanoTime();
        List<HostTensor> got;
        try {
            got = CpuRunner.runMetal(lowered.kernels(), lowered.plan(), inputs, params);
            System.out.printf("    interpreter %.1f s, metal-cpu %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "render: " + e.getMessage();
        } catch (CpuRunner.CpuRunException e) {
            return (e.getMessage().startsWith("g++") ? "g++: " : "run: ") + e.getMessage();
        } catch (Throwable e) {
            return "runner: " + e;
        }
        if (Boolean.getBoolean("kc.crossCheck")) {
            // the same kernels through the CUDA C shim: a Metal-only disagreement would point at the renderer
            List<HostTensor> cuda = CpuRunner.run(lowered.kernels(), lowered.plan(), inputs, params, "cuda-cpu");
            for (int o = 0; o < cuda.size(); o++) System.out.println("    metal vs cuda-cpu output " + o + ": " + (compare(got.get(o), cuda.get(o)).isEmpty() ? "same" : compare(got.get(o), cuda.get(o))));
        }
        for (int o = 0; o < want.size(); o++) {
            String diff = compare(got.get(o), want.get(o));
            if (!diff.isEmpty()) return "mismatch: output " + o + ": " + diff;
        }
        return "";
    }

    /** allclose with the dtype's tolerance, NaN matching NaN (both sides ran on the same data). */
    static String compare(HostTensor got, HostTensor want) {
        if (!got.shape().equals(want.shape())) return "shape " + got.shape() + " vs " + want.shape();
        Tolerance tol = Tolerance.forDType(want.dtype());
        int bad = 0, first = -1;
        for (int i = 0; i < want.numel(); i++) {
            double a = got.getFlat(i), b = want.getFlat(i);
            boolean ok = Double.isNaN(b) ? Double.isNaN(a) : a == b || Math.abs(a - b) <= tol.atol() + tol.rtol() * Math.abs(b);
            if (!ok) { bad++; if (first < 0) first = i; }
        }
        if (bad == 0) return "";
        return bad + " of " + want.numel() + " differ; first at " + first + ": " + got.getFlat(first) + " vs " + want.getFlat(first);
    }

    /**
     * Seeded values: inputs uniform in [-1, 1); weight matrices scaled by 1/sqrt(fan-in) as PyTorch initialises them
     * (so deep models keep their activations in range); scales and variances around 1; small non-negative integers.
     */
    static HostTensor random(Value v, boolean param, Random rnd) {
        TensorType t = v.type();
        long[] dims = t.shape().toArray();
        String key = v.name() == null ? "" : v.name();
        double scale = 1, offset = 0;
        if (param && dims.length >= 2) scale = 1 / Math.sqrt(Math.max(1, t.shape().numel() / dims[0]));
        else if (param && (key.endsWith("running_var") || key.endsWith("weight"))) { scale = 0.5; offset = 1; }
        else if (param) scale = 0.5;
        double[] d = new double[(int) t.shape().numel()];
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (t.dtype()) {
                case F32, F64, F16, BF16 -> offset + scale * (rnd.nextDouble() * 2 - 1);
                case I32, I64 -> rnd.nextInt(2);
                case BOOL -> rnd.nextBoolean() ? 1 : 0;
            };
        }
        // round through the storage format so that both sides see the same values
        return HostTensor.of(t, CpuRunner.decode(CpuRunner.encode(d, t.dtype()), t.dtype()));
    }
}
