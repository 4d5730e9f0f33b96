package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.codegen.Toolchain;
import kc.runtime.verify.PythonTorch;

/**
 * {@code kc compile --emit torch}, checked without a GPU: the file parses, kc's part of it calls no PyTorch compute
 * op, ModelNew builds Model's weights under the same seed, and wrong inputs get clear errors
 * (resources/emit/check_torch_module.py, with CI's CPU PyTorch).
 */
class EmitTorchTest {
    static final Path CHECKER = Path.of("src", "test", "resources", "emit", "check_torch_module.py");
    static final Path EXAMPLES = Path.of("..", "examples");

    @TempDir Path tmp;

    private Path emit(Path model, String... extra) {
        Path out = tmp.resolve(model.getFileName().toString().replace(".py", "_kc.py"));
        List<String> args = new ArrayList<>(List.of("compile", model.toString(), "--emit", "torch", "-o", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return out;
    }

    /** The checker's verdict line on an emitted file against its original. */
    private static String check(Path emitted, Path original) throws IOException, InterruptedException {
        Path python = PythonTorch.find(null).orElseThrow();
        Process p = new ProcessBuilder(python.toString(), CHECKER.toString(), emitted.toString(), original.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the checker hung");
        return out.strip();
    }

    @Test void modelNewHasModelsWeightsAndCallsOnlyKcsKernels() throws Exception {
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the --emit torch check cannot run");
        for (String example : List.of("conv_block.py", "tiny_gpt_block.py", "row_softmax.py")) {
            Path original = EXAMPLES.resolve(example), emitted = emit(original);
            String text = Files.readString(emitted);
            assertTrue(text.startsWith("# A drop-in for Model from " + example), text.substring(0, 200));
            assertTrue(text.contains("# Command: kc compile " + example + " --emit torch --target sm_90 --precision tf32x3"), text.substring(0, 400));
            assertTrue(text.contains(Files.readString(original)), "the module file is embedded as written");
            assertTrue(text.contains("_KC_PTX = r'''//") && text.contains(".entry "), "the PTX is embedded");
            assertEquals("OK", check(emitted, original), example);
        }
    }

    /** The static check can fail: a ModelNew that falls back on Model's forward is caught. */
    @Test void theCheckCatchesAForwardThatCallsPyTorch() throws Exception {
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch and numpy: the --emit torch check cannot run");
        Path original = EXAMPLES.resolve("conv_block.py"), emitted = emit(original);
        Path cheat = tmp.resolve("cheat_kc.py");
        Files.writeString(cheat, Files.readString(emitted).replace("return _kc_forward(self, inputs)", "return super().forward(*inputs)"));
        assertTrue(check(cheat, original).startsWith("FAIL"), "a call of Model's forward");
        Files.writeString(cheat, Files.readString(emitted).replace("t = torch.empty(", "t = torch.zeros("));
        assertTrue(check(cheat, original).startsWith("FAIL kc's section calls torch.zeros"), "a PyTorch fill");
    }

    /** -D sizes reach the embedded file: its get_inputs() draws what kc compiled for. */
    @Test void definesAreWrittenIntoTheEmbeddedSource() throws Exception {
        Path original = EXAMPLES.resolve("row_softmax.py");
        String src = Files.readString(original);
        assertTrue(src.contains("rows = "), "row_softmax.py sets rows at module level");
        String text = Files.readString(emit(original, "-D", "rows=64"));
        assertTrue(text.contains("rows = 64  # kc -D"), text);
        assertTrue(text.contains("\"shape\": [64, "), "the plan is compiled for 64 rows");
        assertTrue(text.contains("-D rows=64"), "the header names the define");
    }

    @Test void entryModelsAndBadOutputPathsAreBadInput() throws IOException {
        CliRun r = CliRun.of("compile", EXAMPLES.resolve("conv_block.py").toString(), "--emit", "torch", "--entry", "Model(3)");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--entry is not supported"), r.err());
        Path folder = Files.createDirectory(tmp.resolve("taken"));
        r = CliRun.of("compile", EXAMPLES.resolve("conv_block.py").toString(), "--emit", "torch", "-o", folder.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
