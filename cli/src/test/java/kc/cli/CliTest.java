package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.runtime.ExitCode;

class CliTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    @Test void helpListsEveryCommandAndTheExitCodes() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.status());
        for (String word : new String[] {"graph", "compile", "explain", "check", "completion", "Exit status", "internal error"})
            assertTrue(r.out().contains(word), "help mentions " + word + ":\n" + r.out());
    }

    @Test void everySubcommandHasHelp() {
        for (String cmd : new String[] {"graph", "compile", "explain", "check", "run"}) {
            CliRun r = CliRun.of(cmd, "--help");
            assertEquals(0, r.status(), cmd);
            assertTrue(r.out().contains("Usage: kc " + cmd), r.out());
            assertTrue(r.out().contains("-D"), cmd + " documents -D");
        }
    }

    @Test void completionScriptIsBash() {
        CliRun r = CliRun.of("completion");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("complete -F"), r.out().lines().limit(5).toList().toString());
    }

    @Test void graphOfTheReadmeExample() {
        CliRun r = CliRun.of("graph", EXAMPLES.resolve("conv_block.py").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("conv.weight"), r.out());
        assertTrue(r.out().contains("mish"), "the mish composite is annotated:\n" + r.out());
    }

    @Test void graphJsonAndSummary() {
        CliRun json = CliRun.of("graph", EXAMPLES.resolve("tiny_gpt_block.py").toString(), "--format", "json");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().strip().startsWith("{"));
        CliRun summary = CliRun.of("graph", EXAMPLES.resolve("tiny_gpt_block.py").toString(), "--format", "summary");
        assertEquals(0, summary.status(), summary.err());
        assertTrue(summary.out().contains("softmax"), summary.out());
    }

    @Test void defineChangesShapes() {
        CliRun small = CliRun.of("graph", EXAMPLES.resolve("conv_block.py").toString(), "-D", "batch_size=2", "-D", "height=8", "--format", "summary");
        assertEquals(0, small.status(), small.err());
        CliRun text = CliRun.of("graph", EXAMPLES.resolve("conv_block.py").toString(), "-D", "batch_size=2", "-D", "height=8");
        assertTrue(text.out().contains("[2, 16, 4, 16]"), "height 8 pooled to 4, width still 32 pooled to 16:\n" + text.out());
    }

    @Test void unknownDefineIsBadInput() {
        CliRun r = CliRun.of("graph", EXAMPLES.resolve("conv_block.py").toString(), "-D", "no_such_constant=3");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no_such_constant"), r.err());
    }

    @Test void syntaxErrorIsOneLineWithPosition(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.py");
        Files.writeString(f, "import torch\n\nclass Model(:\n    pass\n");
        CliRun r = CliRun.of("graph", f.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith(f + ":3:"), r.err());
        assertTrue(r.err().lines().findFirst().orElseThrow().contains(": error: "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test void missingFileIsBadInput() {
        CliRun r = CliRun.of("graph", "no/such/file.py");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no/such/file.py"), r.err());
    }

    @Test void unknownOptionIsBadInput() {
        assertEquals(2, CliRun.of("graph", "--frobnicate").status());
    }

    /** This machine (and CI) has no GPU: run and bench say so in one line with exit status 3, nothing else. */
    @Test void runAndBenchWithoutAGpuSaySoInOneLine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(kc.runtime.gpu.GpuDevice.available(), "a GPU is present here");
        for (String[] args : new String[][] {{"run", "../examples/conv_block.py"}, {"bench", "../examples/conv_block.py"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(ExitCode.NO_TOOLCHAIN, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("kc: " + args[0] + ": no NVIDIA GPU here"), r.err());
        }
    }

    @Test void benchRefusesAMissingSuiteOrNoProblems() {
        CliRun r = CliRun.of("bench", "--suite", "no/such/list.txt");
        assertEquals(ExitCode.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().contains("no suite file"), r.err());
        assertEquals(ExitCode.BAD_INPUT, CliRun.of("bench").status());
    }


    /** A sweep's results are kept per problem; --report-only rebuilds the report from them without a GPU. */
    @Test void benchReportOnlyRebuildsTheReportFromKeptResults(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.copy(java.nio.file.Path.of("../examples/conv_block.py"), dir.resolve("conv_block.py"));
        java.nio.file.Files.copy(java.nio.file.Path.of("../examples/tiny_gpt_block.py"), dir.resolve("tiny_gpt_block.py"));
        java.nio.file.Files.writeString(dir.resolve("suite.txt"), "# two problems\nconv_block.py\ntiny_gpt_block.py\n");
        java.nio.file.Path out = dir.resolve("out");
        java.nio.file.Files.createDirectories(out.resolve("runs"));
        java.nio.file.Files.createDirectories(out.resolve("baselines/conv_block"));
        String t = "{\"median_ms\": %s, \"mean_ms\": %s, \"min_ms\": %s, \"max_ms\": %s, \"trials\": 100}";
        java.nio.file.Files.writeString(out.resolve("runs/conv_block.json"), "{\"verdict\": \"PASS\", \"device\": \"Test GPU\", \"floor_ms\": 1.0, \"kc\": "
                + String.format(t, 2.0, 2.0, 1.9, 2.1) + "}");
        java.nio.file.Files.writeString(out.resolve("baselines/conv_block/baseline.json"), "{\"eager\": " + String.format(t, 4.0, 4.0, 3.9, 4.1)
                + ", \"compiled\": " + String.format(t, 3.0, 3.0, 2.9, 3.1) + "}");
        CliRun r = CliRun.of("bench", "--suite", dir.resolve("suite.txt").toString(), "-o", out.toString(), "--report-only");
        assertEquals(ExitCode.VERIFICATION_FAILED, r.status(), "tiny_gpt_block was never measured: " + r.out() + r.err());
        String row = r.out().lines().filter(l -> l.startsWith("conv_block ")).findFirst().orElseThrow();
        assertTrue(row.contains("PASS") && row.contains("2.00") && row.contains("1.50"), row);
        assertTrue(r.out().contains("tiny_gpt_block") && r.out().contains("not measured"), r.out());
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("bench.csv")));
    }

    @Test void benchWritesBackParsedResultsUnchanged() {
        String json = "{\"verdict\": \"PASS\", \"detail\": \"a \\\"quoted\\\" word\", \"kc\": {\"median_ms\": 0.125, \"trials\": 100}, "
                + "\"failed_guards\": [\"allclose\", \"deterministic\"], \"floor_ms\": null}";
        Object parsed = kc.ir.graph.Json.parse(json);
        assertEquals(parsed.toString(), kc.ir.graph.Json.parse(kc.ir.graph.Json.write(parsed)).toString(), "numbers keep their text");
    }
}
