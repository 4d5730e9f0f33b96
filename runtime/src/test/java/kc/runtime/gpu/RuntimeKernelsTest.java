package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.codegen.Toolchain;
import kc.codegen.ptx.PtxasCheck;

/** The verifier's device helpers: the committed PTX assembles, and is what its .cu source compiles to. */
class RuntimeKernelsTest {
    static final Path SOURCE = Path.of("src/main/resources/kc/runtime/gpu/kc_runtime_kernels.cu");

    @Test void committedPtxAssemblesForSm80AndSm90() {
        String ptx = RuntimeKernels.ptx();
        for (String entry : new String[] {"kc_compare", "kc_count_different", "kc_fill_uniform"})
            assertTrue(ptx.contains(".entry " + entry + "("), entry);
        assertTrue(ptx.contains(".version 8.5"), "ISA 8.5: CUDA 12.x drivers load it too");
        Toolchain.require(PtxasCheck.available(), "ptxas is not on PATH: the committed PTX is not assembled");
        for (String arch : new String[] {"sm_80", "sm_90"}) {
            PtxasCheck.Result r = PtxasCheck.run(ptx, arch);
            assertTrue(r.ok(), arch + ": " + r.error());
        }
    }

    @Test void committedPtxIsUpToDateWithItsSource(@TempDir Path dir) throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor(30, TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            probe = null;
        }
        Toolchain.require(probe != null && probe.exitValue() == 0, "nvcc is not on PATH: the committed PTX is not compared with its source");
        Path out = dir.resolve("k.ptx");
        Process p = new ProcessBuilder("nvcc", "-ptx", "-arch=compute_80", "-O3", "-o", out.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        // the same edits as scripts/build-runtime-kernels.sh
        String fresh = Files.readString(out).replaceAll("(?m)^\\.version .*$", ".version 8.5")
                .replaceAll("(?m)^// (Compiler Build ID|Cuda compilation tools|Based on NVVM).*\\n", "");
        assertEquals(fresh, RuntimeKernels.ptx(), "run scripts/build-runtime-kernels.sh after editing kc_runtime_kernels.cu");
    }
}
