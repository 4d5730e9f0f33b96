package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.ir.graph.Graph;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.language.ScheduleText;

/**
 * Golden round trips over ../shared/kernelbench: the default schedule of a problem prints, parses back to itself
 * (names as GroupNames makes them from real module paths and composites) and prints the same text again.
 */
class ScheduleTextKernelBenchTest {
    /**
     * A few problems whose names cover the forms (a module called {@code pointwise}, numbered module paths,
     * {@code softmax#1:2}, {@code module/composite#k}, an RNN's long schedule), for the default test run.
     */
    static final List<String> SAMPLE = List.of("level1/86_conv_depthwise_separable_2D.py", "level2/62_Matmul_GroupNorm_LeakyReLU_Sum.py",
            "level3/9_ResNet18.py", "level3/44_MiniGPTBlock.py", "level3/34_VanillaRNNHidden.py");
    /** Problems the frontend loads today (KernelBenchSweepTest asks 215 of them for a verified graph). */
    static final int LOADED_THRESHOLD = 215;

    @Test
    void sampleProblemsRoundTrip() throws Exception {
        assumeTrue(KernelBench.present(), "../shared/kernelbench is absent: the schedule text round trip is skipped");
        for (String name : SAMPLE) {
            Path p = KernelBench.ROOT.resolve(name);
            assertTrue(Files.isRegularFile(p), p + " is missing");
            assertEquals(null, roundTrip(Frontend.load(p, Map.of()).graph()), name);
        }
        // The names are the ones README's "Writing a schedule" describes.
        String resnet = ScheduleText.print(DefaultScheduler.schedule(Frontend.load(KernelBench.ROOT.resolve("level3/9_ResNet18.py"), Map.of()).graph()));
        assertTrue(resnet.contains("\ngroup layer1.0.bn1:2 = layer1.0.bn1\n  strategy "), "a numbered module path, its second group");
        String gpt = ScheduleText.print(DefaultScheduler.schedule(Frontend.load(KernelBench.ROOT.resolve("level3/44_MiniGPTBlock.py"), Map.of()).graph()));
        assertTrue(gpt.contains("\ngroup attn/softmax#1:2 = attn/softmax#1\n  strategy "), "a composite called in a module, its second group");
    }

    /** Every problem that loads; minutes with the RNNs' 100k-group schedules, so with the sweeps. */
    @Tag("sweep")
    @Test
    void defaultScheduleOfEveryProblemRoundTrips() throws Exception {
        assumeTrue(KernelBench.present(), "../shared/kernelbench is absent: the schedule text round trip is skipped");
        List<Path> problems = KernelBench.problems();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger loaded = new AtomicInteger();
        problems.parallelStream().forEach(p -> {
            Graph g;
            try {
                g = Frontend.load(p, Map.of()).graph();
            } catch (CompileError e) {
                return; // not kc's Python yet: the graph sweep reports these
            }
            loaded.incrementAndGet();
            String failure = roundTrip(g);
            if (failure != null) failures.add(KernelBench.name(p) + ": " + failure);
        });
        assertEquals(List.of(), failures);
        assertTrue(loaded.get() >= LOADED_THRESHOLD, loaded + " of " + problems.size() + " problems loaded");
    }

    /** What goes wrong printing and parsing g's default schedule, or null. */
    private static String roundTrip(Graph g) {
        try {
            Schedule s = DefaultScheduler.schedule(g);
            String text = ScheduleText.print(s);
            ScheduleText.Parsed parsed = ScheduleText.parse(text);
            if (!parsed.schedule().equals(s)) return "parses to another schedule";
            if (!ScheduleText.print(parsed.schedule()).equals(text)) return "prints differently";
            if (!List.copyOf(parsed.groups().keySet()).equals(s.groups().stream().map(GroupSchedule::name).toList())) return "group locations";
            return null;
        } catch (ScheduleText.SyntaxError e) {
            return e.format();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
