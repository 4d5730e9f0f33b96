package kc.frontend.torch;

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
import kc.ir.graph.Graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loads every KernelBench problem through the frontend and reports which fail and why. */
@Tag("sweep")
class TorchSweepTest {
    static final Path KB = Path.of("../../shared/kernelbench");

    static List<Path> files() throws IOException {
        Path root = Files.isDirectory(KB) ? KB : Path.of("../shared/kernelbench");
        Assumptions.assumeTrue(Files.isDirectory(root), "KernelBench folder ../shared/kernelbench is absent");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
    }

    @Test
    void everyProblemBuildsAGraph() throws IOException {
        List<Path> all = files();
        String only = System.getProperty("kc.only");
        List<String> failures = new ArrayList<>();
        int ok = 0;
        java.util.TreeMap<Long, String> times = new java.util.TreeMap<>();
        for (Path f : all) {
            if (only != null && !f.toString().contains(only)) continue;
            long t0 = System.nanoTime();
            try {
                LoadedModel m = Frontend.load(f, Map.of());
                Graph g = m.graph();
                assertTrue(!g.outputs().isEmpty());
                List<String> problems = kc.ir.graph.GraphVerifier.verify(g);
                if (!problems.isEmpty()) {
                    failures.add(f + ": VERIFIER " + problems.size() + " problems, first: " + problems.get(0));
                } else ok++;
                times.put((System.nanoTime() - t0) / 1_000_000 * 1000 + times.size(), f.getFileName().toString());
                continue;
            } catch (CompileError e) {
                failures.add(e.format());
            } catch (RuntimeException | StackOverflowError e) {
                StackTraceElement[] st = e.getStackTrace();
                failures.add(f + ": INTERNAL " + e + (st.length > 0 ? " at " + st[0] + (st.length > 1 ? " < " + st[1] : "") + (st.length > 2 ? " < " + st[2] : "") : ""));
            }
            times.put((System.nanoTime() - t0) / 1_000_000 * 1000 + times.size(), f.getFileName().toString());
        }
        StringBuilder slow = new StringBuilder();
        times.descendingMap().entrySet().stream().limit(8).forEach(e -> slow.append(" ").append(e.getValue()).append(" ").append(e.getKey() / 1000).append("ms"));
        System.out.println("SWEEP: " + ok + " ok, " + failures.size() + " failed; slowest:" + slow);
        failures.forEach(s -> System.out.println("FAIL " + s));
    }
}
