package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.runtime.verify.PythonTorch;

/**
 * The real-world corpus (../shared/realworld: nanoGPT, llama2.c, minGPT with its package, vit-pytorch), each model
 * file unmodified, named by cases.tsv's entry, inputs and path: kc check against PyTorch (CI's CPU torch, the
 * reference importing einops from _pydeps) and kc compile --emit ptx; and the CUDA CPU shim on the cases named by
 * -Dkc.realworld.shims (comma-separated, or "all"; by default vit, whose shim run takes half a minute: minGPT's takes
 * four, nanoGPT's three, llama2.c's one and a half, too long for every CI run).
 */
@Tag("sweep")
class RealWorldSweepTest {
    static final Path ROOT = Path.of("..", "..", "shared", "realworld");

    record Case(String name, String file, String path, String entry, String inputs) {
        /** The options naming the model: its entry, inputs, the case's path and _pydeps (einops for PyTorch). */
        List<String> options() {
            List<String> o = new ArrayList<>(List.of(ROOT.resolve(file).toString(), "--entry", entry, "--inputs", inputs,
                    "--path", ROOT.resolve("_pydeps").toString()));
            if (!path.equals("-")) o.addAll(List.of("--path", ROOT.resolve(path).toString()));
            return o;
        }
    }

    static List<Case> cases() throws Exception {
        List<Case> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(ROOT.resolve("cases.tsv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            out.add(new Case(f[0], f[1], f[2], f[3], f[4]));
        }
        return out;
    }

    @Test void everyCaseMatchesPyTorchAndCompilesFromItsUnmodifiedFile() throws Exception {
        assumeTrue(Files.isRegularFile(ROOT.resolve("cases.tsv")), "../shared/realworld is absent: sweep skipped");
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the real-world comparison cannot run");
        List<Case> cases = cases();
        assertTrue(cases.size() >= 4, "cases.tsv names the corpus");
        List<String> failed = new ArrayList<>();
        for (Case c : cases) {
            List<String> check = new ArrayList<>(List.of("check"));
            check.addAll(c.options());
            CliRun r = CliRun.of(check.toArray(String[]::new));
            if (r.status() != 0 || !r.out().contains("PASS")) failed.add(c.name() + " check: " + r.status() + " " + r.out() + r.err());
            Path out = Files.createTempDirectory("kc-realworld");
            List<String> compile = new ArrayList<>(List.of("compile"));
            compile.addAll(c.options());
            compile.addAll(List.of("--emit", "ptx", "-o", out.toString()));
            r = CliRun.of(compile.toArray(String[]::new));
            if (r.status() != 0 || !Files.isRegularFile(out.resolve("plan.json"))) failed.add(c.name() + " compile: " + r.status() + " " + r.err());
            System.out.println("REALWORLD " + c.name() + ": " + (failed.stream().anyMatch(f -> f.startsWith(c.name())) ? "FAILED" : "check PASS, compile ok"));
        }
        assertEquals(List.of(), failed);
    }

    @Test void theCpuShimRunsMatchTheInterpreter() throws Exception {
        assumeTrue(Files.isRegularFile(ROOT.resolve("cases.tsv")), "../shared/realworld is absent: sweep skipped");
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the real-world weights cannot be drawn");
        String chosen = System.getProperty("kc.realworld.shims", "vit");
        List<String> failed = new ArrayList<>();
        int ran = 0;
        for (Case c : cases()) {
            if (!chosen.equals("all") && !List.of(chosen.split(",")).contains(c.name())) continue;
            ran++;
            List<String> check = new ArrayList<>(List.of("check"));
            check.addAll(c.options());
            check.addAll(List.of("--backend", "cuda-cpu"));
            CliRun r = CliRun.of(check.toArray(String[]::new));
            if (r.status() != 0 || !r.out().contains("PASS")) failed.add(c.name() + " cuda-cpu: " + r.status() + " " + r.out() + r.err());
            System.out.println("REALWORLD " + c.name() + " cuda-cpu: " + (r.status() == 0 ? "PASS" : "FAILED"));
        }
        assertTrue(ran > 0, "kc.realworld.shims=" + chosen + " names no case of cases.tsv");
        assertEquals(List.of(), failed);
    }
}
