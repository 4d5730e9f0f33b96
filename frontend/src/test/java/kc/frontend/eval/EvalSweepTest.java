package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.GraphVerifier;

/**
 * Loads all KernelBench problems through {@link Frontend} and counts those whose graph passes the
 * {@link GraphVerifier}; prints each failure with its CompileError (or verifier problems) and the timing.
 * Select files with -Dkc.only=SUBSTRING.
 */
@Tag("sweep")
class EvalSweepTest {
    static List<Path> files() throws IOException {
        Path root = Path.of("../shared/kernelbench");
        if (!Files.isDirectory(root)) root = Path.of("../../shared/kernelbench");
        Assumptions.assumeTrue(Files.isDirectory(root), "KernelBench folder ../shared/kernelbench is absent");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
    }

    /** Second pass in the warm JVM: parse and evaluation times per file, slowest first. */
    private static void warmTimings(String only) throws IOException {
        List<String> rows = new ArrayList<>();
        for (Path f : files()) {
            if (only != null && !f.toString().contains(only)) continue;
            String text = Files.readString(f);
            long t0 = System.nanoTime();
            kc.frontend.ast.PyModule mod = kc.frontend.parse.PythonSource.parse(f.toString(), text);
            long t1 = System.nanoTime();
            try {
                ModelEvaluator.evaluate(mod, Map.of());
            } catch (CompileError e) {
                continue;
            }
            long t2 = System.nanoTime();
            rows.add(String.format("%8.1f ms eval %6.1f ms parse  %s", (t2 - t1) / 1e6, (t1 - t0) / 1e6, f.getFileName()));
        }
        rows.sort(java.util.Comparator.reverseOrder());
        rows.stream().limit(15).forEach(r -> System.out.println("WARM " + r));
    }

    @Test void allKernelBenchFilesProduceVerifiedGraphs() throws IOException {
        String only = System.getProperty("kc.only");
        List<String> failures = new ArrayList<>();
        int ok = 0, total = 0;
        long totalNanos = 0, slowest = 0;
        String slowestName = "";
        for (Path f : files()) {
            if (only != null && !f.toString().contains(only)) continue;
            total++;
            long t0 = System.nanoTime();
            try {
                LoadedModel m = Frontend.load(f, Map.of());
                List<String> problems = GraphVerifier.verify(m.graph());
                if (problems.isEmpty() && !m.graph().outputs().isEmpty()) ok++;
                else failures.add(f + ": verifier: " + String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
            } catch (CompileError e) {
                failures.add(e.format());
            } catch (RuntimeException | StackOverflowError e) {
                failures.add(f + ": UNCAUGHT " + e);
            }
            long dt = System.nanoTime() - t0;
            totalNanos += dt;
            if (dt > slowest) { slowest = dt; slowestName = f.getFileName().toString(); }
        }
        System.out.printf("EVAL SWEEP: %d of %d files produce verified graphs; %.1f ms average, slowest %s %d ms%n",
                ok, total, totalNanos / 1e6 / Math.max(1, total), slowestName, slowest / 1_000_000);
        failures.forEach(s -> System.out.println("FAIL " + s));
        if (Boolean.getBoolean("kc.timing")) warmTimings(only);
        assertTrue(total == 0 || ok > 0, "no file passed");
    }
}
