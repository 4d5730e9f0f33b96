package kc.runtime.cpu;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import kc.codegen.cuda.CudaRenderer;

/** Test helper: nvcc -arch=ARCH -c on rendered CUDA C, when nvcc is installed. */
final class Nvcc {
    private Nvcc() {}

    static String binary() {
        for (String c : new String[] {"/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc", "/usr/bin/nvcc"})
            if (Files.isExecutable(Path.of(c))) return c;
        return null;
    }

    static boolean available() { return binary() != null; }

    /** null when nvcc accepts the source, else its output. */
    static String compile(String source, String arch) throws Exception {
        Path dir = Files.createTempDirectory("kc-nvcc");
        Files.writeString(dir.resolve(CudaRenderer.HEADER), CudaRenderer.header());
        Files.writeString(dir.resolve("k.cu"), source);
        Process p = new ProcessBuilder(binary(), "-arch=" + arch, CudaRenderer.NVCC_FLAGS, "-c", "-I", dir.toString(), "-o", dir.resolve("k.o").toString(),
                dir.resolve("k.cu").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1200, TimeUnit.SECONDS)) { p.destroyForcibly(); return "nvcc timed out"; }
        return p.exitValue() == 0 ? null : out.length() > 6000 ? out.substring(0, 6000) : out;
    }
}
