package kc.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.Shrinker;
import kc.ir.graph.GraphVerifier;
import kc.runtime.verify.ExpectedFailures;
import kc.runtime.verify.PythonTorch;
import kc.runtime.verify.ReferenceCheck;
import kc.runtime.verify.TorchReference;

/**
 * The acceptance sweeps over ../shared/kernelbench: `kc graph` on every problem, and `kc check --shrink`
 * (PyTorch vs kc's reference interpreter) on every problem. Each is gated by its expected-failure list in
 * src/test/resources/expected-failures/ (see {@link ExpectedFailures}). Reports go to target/kernelbench-*.txt,
 * today's failures in the lists' format to target/expected-failures/.
 */
@Tag("sweep")
class KernelBenchSweepTest {
    static final Path LISTS = Path.of("src", "test", "resources", "expected-failures");
    /** Shrinking aims at this much work per problem (scalar body evaluations of the whole graph). */
    static final double BUDGET = 1e7;
    /** A problem still above this after shrinking is reported as too large to interpret, not run. */
    static final double MAX_WORK = 3e8;

    @Test void graphEveryProblem() throws Exception {
        assumeTrue(KernelBench.present(), "../shared/kernelbench is absent: sweep skipped");
        ExpectedFailures expected = ExpectedFailures.read(LISTS.resolve("graph.txt"));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> failed = new ConcurrentHashMap<>();
        List<Path> problems = KernelBench.problems();
        problems.parallelStream().forEach(p -> {
            String name = KernelBench.name(p);
            long t0 = System.nanoTime();
            try {
                LoadedModel m = Frontend.load(p, Map.of());
                List<String> problemsFound = GraphVerifier.verify(m.graph());
                if (!problemsFound.isEmpty()) failed.put(name, "verifier: " + problemsFound.get(0));
                else lines.add(String.format("ok   %s  %d nodes  %.0f ms", name, m.graph().nodes().size(), (System.nanoTime() - t0) / 1e6));
            } catch (CompileError e) {
                failed.put(name, e.format());
            } catch (RuntimeException e) {
                failed.put(name, "internal: " + e);
            }
        });
        failed.forEach((name, why) -> lines.add("FAIL " + name + "  " + why));
        report("kernelbench-graph.txt", lines, (problems.size() - failed.size()) + " of " + problems.size() + " problems give a verified graph");
        gate(expected, "graph.txt", problems, failed);
    }

    @Test void checkEveryProblemShrunkAgainstPyTorch() throws Exception {
        assumeTrue(KernelBench.present(), "../shared/kernelbench is absent: sweep skipped");
        Optional<Path> python = PythonTorch.find(null);
        Toolchain.require(python.isPresent(), "no Python with torch and numpy: the PyTorch comparison sweep cannot run");
        ExpectedFailures expected = ExpectedFailures.read(LISTS.resolve("check.txt"));
        List<Path> problems = KernelBench.problems();
        Path work = Files.createDirectories(Path.of("target", "kernelbench-check"));
        Map<Path, Object> shrunk = new ConcurrentHashMap<>(); // Shrinker.Result or the reason it failed
        problems.parallelStream().forEach(p -> {
            try {
                Shrinker.Result r = Shrinker.shrink(p, Map.of(), BUDGET);
                shrunk.put(p, r.work() <= MAX_WORK ? r : String.format(
                        "too large for the CPU reference after shrinking: work %.2g with %s %s (the remaining sizes are written inside the model)", r.work(), r.defines(), r.literalEdits()));
            } catch (CompileError e) {
                shrunk.put(p, e.format());
            } catch (RuntimeException e) {
                shrunk.put(p, "internal: " + e);
            }
        });
        List<TorchReference.Job> jobs = new ArrayList<>();
        Map<Path, TorchReference.Job> jobOf = new ConcurrentHashMap<>();
        for (int i = 0; i < problems.size(); i++) {
            Path p = problems.get(i);
            if (shrunk.get(p) instanceof Shrinker.Result r) {
                Path module = p;
                if (r.editedSource()) { // PyTorch runs exactly the edited source kc compiled
                    module = Files.createDirectories(work.resolve("p" + i + "-src")).resolve(p.getFileName());
                    Files.writeString(module, r.source());
                }
                TorchReference.Job job = new TorchReference.Job(module, r.defines(), work.resolve("p" + i));
                jobs.add(job);
                jobOf.put(p, job);
            }
        }
        long t0 = System.nanoTime();
        TorchReference.runJobs(python.get(), jobs, 5, 42, work, 1800);
        double torchSeconds = (System.nanoTime() - t0) / 1e9;
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> failed = new ConcurrentHashMap<>();
        Path progress = Path.of("target", "kernelbench-check.progress");
        Files.deleteIfExists(progress);
        problems.parallelStream().forEach(p -> {
            String name = KernelBench.name(p);
            appendLine(progress, "start " + name);
            if (!(shrunk.get(p) instanceof Shrinker.Result r)) {
                failed.put(name, "kc: " + shrunk.get(p));
                lines.add("FAIL " + name + "  kc: " + shrunk.get(p));
                return;
            }
            String defs = r.defines() + (r.editedSource() ? " literals " + r.literalEdits() : "");
            try {
                TorchReference.Run run = TorchReference.loadJob(jobOf.get(p));
                ReferenceCheck.Report report = ReferenceCheck.compare(r.model().graph(), run);
                if (!report.problem().isEmpty()) {
                    failed.put(name, report.problem());
                    lines.add("FAIL " + name + "  " + report.problem() + "  " + defs);
                    return;
                }
                var worst = report.worst();
                if (!report.passed()) failed.put(name, "differs from PyTorch: " + worst.summary());
                lines.add(String.format("%s %s  %s  interp %.2f s  %s", report.passed() ? (report.illConditioned() ? "ok64" : "ok  ") : "FAIL", name,
                        worst.summary(), report.interpreterSeconds(), defs));
            } catch (TorchReference.ReferenceFailure e) {
                failed.put(name, "PyTorch: " + e.getMessage());
                lines.add("FAIL " + name + "  " + e.getMessage() + "  " + defs);
            } catch (Exception e) {
                failed.put(name, "internal: " + e);
                lines.add("FAIL " + name + "  internal: " + e + "  " + defs);
            }
        });
        report("kernelbench-check.txt", lines, String.format("%d of %d problems agree with PyTorch (PyTorch %.0f s)",
                problems.size() - failed.size(), problems.size(), torchSeconds));
        gate(expected, "check.txt", problems, failed);
    }

    /**
     * Fails the sweep when its failures differ from its checked-in list either way; today's failures go to
     * target/expected-failures/LIST in the same format.
     */
    private static void gate(ExpectedFailures expected, String list, List<Path> problems, Map<String, String> failed) throws java.io.IOException {
        Path actual = Path.of("target", "expected-failures", list);
        ExpectedFailures.write(actual, failed);
        List<String> wrong = expected.check(problems.stream().map(KernelBench::name).toList(), failed, true);
        assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n(today's failures in the list's format: " + actual + ")");
    }

    private static synchronized void appendLine(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException ignored) {
            // progress is a courtesy for whoever watches a long sweep
        }
    }

    private static void report(String file, List<String> lines, String summary) throws Exception {
        List<String> sorted = new ArrayList<>(lines);
        Collections.sort(sorted);
        sorted.add(summary);
        Files.write(Path.of("target", file), sorted);
        sorted.stream().filter(l -> l.startsWith("FAIL")).forEach(System.out::println);
        System.out.println(summary);
    }
}
