package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.passes.cost.MachineModel;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.language.ScheduleText;
import kc.runtime.Diagnostic;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Stage;

/** kc compile --schedule S, and how kc reports what is wrong: the user's input (exit 2) or kc's bug (exit 70). */
class ScheduleOptionTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    /** The examples and a few shared problems (levels 1 to 3) when ../shared/kernelbench is here. */
    static List<Path> modules() {
        List<Path> m = new ArrayList<>(List.of(EXAMPLES.resolve("conv_block.py"), EXAMPLES.resolve("tiny_gpt_block.py"), EXAMPLES.resolve("cheats/model.py")));
        if (KernelBench.present())
            for (String p : List.of("level1/23_Softmax.py", "level1/40_LayerNorm.py", "level2/12_Gemm_Multiply_LeakyReLU.py", "level3/4_LeNet5.py"))
                m.add(KernelBench.ROOT.resolve(p));
        return m;
    }

    @Test void theScheduleExplainPrintsCompilesByteForByteLikeTheDefault(@TempDir Path dir) throws Exception {
        for (Path module : modules()) {
            String name = module.getFileName().toString();
            CliRun printed = CliRun.of("explain", module.toString(), "--after", "schedule");
            assertEquals(0, printed.status(), name + ": " + printed.err());
            Path schedule = dir.resolve(name + ".schedule");
            Files.writeString(schedule, printed.out());
            CliRun again = CliRun.of("explain", module.toString(), "--after", "schedule", "--schedule", schedule.toString());
            assertEquals(printed.out(), again.out(), name + ": the schedule given back prints as it was");

            Path plain = dir.resolve(name + "-default"), scheduled = dir.resolve(name + "-scheduled");
            for (String emit : new String[] {"ptx", "cuda"}) {
                CliRun a = CliRun.of("compile", module.toString(), "--emit", emit, "--no-ptxas", "-o", plain.toString());
                CliRun b = CliRun.of("compile", module.toString(), "--emit", emit, "--no-ptxas", "-o", scheduled.toString(), "--schedule", schedule.toString());
                assertEquals(0, a.status(), name + ": " + a.err());
                assertEquals(0, b.status(), name + ": " + b.err());
                assertEquals(files(plain), files(scheduled), name + " --emit " + emit + ": every file identical");
            }
        }
    }

    @Test void aScheduleBreakingTheRulesIsBadInputAtEachGroupItBreaks(@TempDir Path dir) throws Exception {
        Path module = EXAMPLES.resolve("conv_block.py");
        Schedule defaults = Pipeline.run(Pipeline.Input.of(module, Map.of(), MachineModel.SM_90), Stage.SCHEDULE).schedule();
        Schedule bad = defaults.with(defaults.group("conv").withThreads(2048))
                .with(defaults.group("pool").withStrategy(Strategy.SCAN))
                .with(defaults.group("bn").withName("nothing#9"));
        String text = ScheduleText.print(bad);
        Path file = dir.resolve("bad.schedule");
        Files.writeString(file, text);
        Map<String, ScheduleText.Location> at = ScheduleText.parse(text).groups();

        CliRun r = CliRun.of("compile", module.toString(), "--emit", "ptx", "-o", dir.resolve("out").toString(), "--schedule", file.toString());
        assertEquals(ExitCode.BAD_INPUT, r.status(), r.err());
        for (String expected : List.of(
                line(file, at.get("conv")) + "group conv: threads 2048 exceeds 1024 per block on sm_90",
                line(file, at.get("pool")) + "group pool: strategy scan needs a scan; this group is a generic.max",
                line(file, at.get("nothing#9")) + "group nothing#9: no such group in conv_block"))
            assertTrue(r.err().lines().anyMatch(l -> l.startsWith(expected)), expected + " in:\n" + r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    }

    @Test void aSyntaxErrorIsBadInputAtItsPlace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("garbage.schedule");
        Files.writeString(file, "%%% this is not a schedule {{{\n");
        CliRun r = CliRun.of("compile", EXAMPLES.resolve("conv_block.py").toString(), "--emit", "ptx", "-o", dir.resolve("out").toString(), "--schedule", file.toString());
        assertEquals(ExitCode.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + ":1:\\d+: error: .*"), r.err());
    }

    @Test void anUnreadableScheduleIsBadInput(@TempDir Path dir) {
        Path file = dir.resolve("missing.schedule");
        CliRun r = CliRun.of("explain", EXAMPLES.resolve("conv_block.py").toString(), "--schedule", file.toString());
        assertEquals(ExitCode.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().startsWith(file + ":1:1: error: cannot read the schedule"), r.err());
    }

    /** kc's own bugs are exit status 70 in one line, never `file:line:col: error:` like bad input; the trace on request. */
    @Test void anInternalErrorExits70InOneLine() {
        Diagnostic.Internal bug = new Diagnostic.Internal("stage lower failed: java.lang.IllegalArgumentException: group conv: too long",
                new IllegalArgumentException("group conv: too long"));
        for (Exception e : List.of(bug, new IllegalStateException("a bug outside the pipeline\nwith a second line"))) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            PrintWriter err = new PrintWriter(text, true, StandardCharsets.UTF_8);
            assertEquals(ExitCode.INTERNAL, Main.report(e, err, false));
            String said = text.toString(StandardCharsets.UTF_8);
            assertEquals(1, said.lines().count(), said);
            assertTrue(said.startsWith("kc: internal error (a bug in kc): "), said);
            assertFalse(said.contains(": error: "), "not reported as bad input: " + said);
            text.reset();
            Main.report(e, err, true);
            assertTrue(text.toString(StandardCharsets.UTF_8).contains("\tat "), "--stacktrace prints the trace");
        }
    }

    private static String line(Path file, ScheduleText.Location at) { return file + ":" + at.line() + ":" + at.column() + ": error: "; }

    /** Every file of a folder, by name. */
    private static Map<String, String> files(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) m.put(p.getFileName().toString(), Files.readString(p));
        }
        return m;
    }
}
