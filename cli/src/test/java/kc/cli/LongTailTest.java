package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** kc check FILE --entry ENTRY --inputs INPUTS [more options] passes against PyTorch with the given trials line. */
    private static void passes(String file, String entry, String inputs, String summary, String... more) {
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the long-tail check cannot run");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("check", DIR.resolve(file).toString(),
                "--entry", entry, "--inputs", inputs));
        args.addAll(java.util.List.of(more));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PASS  " + summary), r.out());
    }

    @Test void aCausalTransformerEncoderMatchesPyTorch() {
        passes("transformer_encoder.py", "CausalLM()", "[torch.randint(0, 40, (2, 9))]", "5 trials x 1 outputs");
    }

    @Test void aDecoderStackAndTheWholeTransformerMatchPyTorch() {
        passes("transformer_decoder.py", "Decoder()", "[torch.randn(5, 2, 16), torch.randn(7, 2, 16)]", "5 trials x 1 outputs");
        passes("transformer_decoder.py", "Seq2Seq()", "[torch.randn(2, 7, 16), torch.randn(2, 5, 16)]", "5 trials x 1 outputs");
    }

    @Test void hooksThatDoNotRunInForwardAreAcceptedAndTheWeightsStillMatch() {
        passes("hooks.py", "Net()", "[torch.randn(3, 6)]", "5 trials x 1 outputs");
    }

    @Test void aForwardHookIsBadInputAtTheCallThatWouldRunIt() {
        String file = DIR.resolve("hooks.py").toString();
        CliRun r = CliRun.of("check", file, "--entry", "Net(forward_hook=True)", "--inputs", "[torch.randn(3, 6)]");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith(file + ":34:16: error: unsupported: a forward hook on Linear (registered at " + file + ":30:13)"), r.err());
    }

    @Test void einopsPackUnpackAndEinsumMatchPyTorch() {
        Path pydeps = Path.of("..", "..", "shared", "realworld", "_pydeps");
        assumeTrue(Files.isDirectory(pydeps.resolve("einops")), "../shared/realworld/_pydeps is absent: einops is not importable by the reference");
        passes("einops_pack.py", "Mixer()", "[torch.randn(2, 3, 4, 8)]", "5 trials x 3 outputs", "--path", pydeps.toString());
    }

    @Test void aForwardTakingTuplesOfTensorsMatchesPyTorch() {
        passes("tuple_input.py", "TwoViews()", "[(torch.randn(2, 5), torch.randn(2, 5)), 0.5, (torch.randn(2, 3), (torch.rand(2),))]",
                "5 trials x 2 outputs");
    }
}
