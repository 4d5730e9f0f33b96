package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileCommandTest {
    static final String EXAMPLE = Path.of("..", "examples", "conv_block.py").toString();

    @Test void emitsKernelsAndPlanForEveryTarget(@TempDir Path dir) throws Exception {
        for (String emit : new String[] {"ptx", "cuda", "metal"}) {
            Path out = dir.resolve(emit);
            CliRun r = CliRun.of("compile", EXAMPLE, "--emit", emit, "-D", "batch_size=2", "-o", out.toString(), "--no-ptxas");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("kernels") && r.out().contains("floor"), r.out());
            String ext = emit.equals("cuda") ? "cu" : emit;
            assertTrue(Files.size(out.resolve("conv_block." + ext)) > 1000, emit);
            String plan = Files.readString(out.resolve("plan.json"));
            assertTrue(plan.contains("\"key\": \"conv.weight\"") && plan.contains("\"launches\""), plan);
        }
        assertTrue(Files.readString(dir.resolve("ptx").resolve("conv_block.ptx")).contains(".target sm_90"));
        assertTrue(Files.exists(dir.resolve("cuda").resolve("kc_cuda.h")), "the CUDA C needs kc's header beside it");
    }

    @Test void aFailedCompileLeavesTheOldFolderAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, CliRun.of("compile", EXAMPLE, "--emit", "ptx", "-o", out.toString(), "--no-ptxas").status());
        String before = Files.readString(out.resolve("plan.json"));
        Path bad = dir.resolve("bad.py");
        Files.writeString(bad, Files.readString(Path.of(EXAMPLE)).replace("nn.MaxPool2d(2)", "nn.MaxPool2d(2, 3, 4, 5, 6, 7, 8)"));
        CliRun r = CliRun.of("compile", bad.toString(), "--emit", "ptx", "-o", out.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(before, Files.readString(out.resolve("plan.json")));
        try (Stream<Path> s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".out")), "no staging folders left behind");
        }
    }

    @Test void unsupportedTargetIsBadInput(@TempDir Path dir) {
        CliRun r = CliRun.of("compile", EXAMPLE, "--emit", "metal", "--target", "sm_90", "-o", dir.resolve("x").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unsupported target 'sm_90'"), r.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
