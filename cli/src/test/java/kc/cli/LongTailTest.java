package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.codegen.Toolchain;
import kc.runtime.verify.PythonTorch;

/** kc's own examples of the long tail of real model files, checked against PyTorch (CI's CPU torch) from --entry. */
class LongTailTest {
    static final Path DIR = Path.of("src", "test", "resources", "longtail");

    @Test void tiedWeightsInitApplyAndAnInPlaceCacheMatchPyTorch() {
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the long-tail check cannot run");
        CliRun r = CliRun.of("check", DIR.resolve("tied_cache.py").toString(), "--entry", "Net()", "--inputs", "[torch.randn(2, 4)]");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PASS  5 trials x 2 outputs"), r.out());
    }

    @Test void rotaryEmbeddingsWithComplexNumbersMatchPyTorch() {
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the long-tail check cannot run");
        String file = DIR.resolve("rotary.py").toString();
        CliRun r = CliRun.of("check", file, "--entry", "Rotary()", "--inputs", "[torch.randn(2, 8, 32)]");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PASS  5 trials x 2 outputs"), r.out());
    }

    @Test void rotaryEmbeddingsWithComplexNumbersCompileToPtx(@TempDir Path out) {
        CliRun r = CliRun.of("compile", DIR.resolve("rotary.py").toString(), "--entry", "Rotary()", "--inputs", "[torch.randn(2, 8, 32)]",
                "--emit", "ptx", "-o", out.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(Files.exists(out.resolve("rotary.ptx")) && Files.exists(out.resolve("plan.json")), r.out());
    }

    @Test void aMalformedEntryIsBadInputInTheExpression() {
        CliRun r = CliRun.of("graph", DIR.resolve("tied_cache.py").toString(), "--entry", "Net(", "--inputs", "[torch.randn(2, 4)]");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("<entry>:1:"), r.err());
    }
}
