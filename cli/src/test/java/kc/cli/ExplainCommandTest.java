package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.passes.schedule.language.ScheduleText;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.Stage;

/** kc explain: the pipeline's stages as a summary, or the IR after one of them. */
class ExplainCommandTest {
    static final String EXAMPLE = Path.of("..", "examples", "conv_block.py").toString();

    static CliRun explain(String... more) {
        String[] args = new String[more.length + 4];
        args[0] = "explain";
        args[1] = EXAMPLE;
        args[2] = "-D";
        args[3] = "batch_size=2";
        System.arraycopy(more, 0, args, 4, more.length);
        return CliRun.of(args);
    }

    @Test void theSummaryShowsStagesGroupsScheduleAndKernelsAgainstTheirFloor() {
        CliRun r = explain();
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        for (Stage s : Stage.values()) assertTrue(out.contains("\n  " + s.word() + " "), s.word() + " with its time:\n" + out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  conv ") && l.contains("generic.sum") && l.endsWith("conv (conv_block.py:18:21)")), out);
        // the pool group's members: the pool, then what fusion folded into it (the scale, Mish and the batch norm's normalisation)
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  pool ") && l.contains("pool (conv_block.py:20:16), mul#1 (conv_block.py:19:13), mish#1")), out);
        String schedule = explain("--after", "schedule").out();
        for (String line : schedule.split("\n")) assertTrue(out.contains("\n  " + line + "\n"), "the schedule, indented:\n" + out);
        assertTrue(out.contains("estimate against the roofline floor on sm_90"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  conv ") && l.contains("k0_conv") && l.endsWith("memory")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  total ")), out);
    }

    @Test void afterEachStageItPrintsThatStagesIr(@TempDir Path dir) throws Exception {
        String graph = CliRun.of("graph", EXAMPLE, "-D", "batch_size=2").out();
        CliRun compiled = CliRun.of("compile", EXAMPLE, "-D", "batch_size=2", "--emit", "ptx", "--no-ptxas", "-o", dir.toString());
        assertEquals(0, compiled.status(), compiled.err());
        for (Stage s : Stage.values()) {
            CliRun r = explain("--after", s.word());
            assertEquals(0, r.status(), s.word() + ": " + r.err());
            String out = r.out();
            switch (s) {
                case EVALUATE, VERIFY -> assertEquals(graph, out, s.word());
                case CANONICALISE, SUBSTITUTE, FUSE -> assertTrue(out.startsWith("graph conv_block\n  input "), s.word() + ":\n" + out);
                case SCHEDULE -> assertEquals(ScheduleText.print(ScheduleText.parse(out).schedule()), out, "the schedule alone, normalised");
                case LOWER, TILE_REWRITES -> {
                    assertTrue(out.startsWith("kernel k0_conv grid("), s.word() + ":\n" + out);
                    assertTrue(out.contains("\nplan conv_block\n  buffer g_in0 input 0 f32[2, 3, 32, 32]\n"), s.word() + ":\n" + out);
                }
                case RENDER -> assertEquals(Files.readString(dir.resolve("conv_block.ptx")), out, "the kernel file compile writes");
            }
        }
        assertTrue(explain("--after", "render", "--emit", "cuda").out().contains("__global__"));
    }

    @Test void anUnknownStageIsBadInputNamingTheStages() {
        CliRun r = explain("--after", "optimise");
        assertEquals(ExitCode.BAD_INPUT, r.status());
        assertTrue(r.err().contains("unknown stage 'optimise' (stages: evaluate, verify, canonicalise, substitute, fuse, schedule, lower, tile-rewrites, render)"), r.err());
    }
}
