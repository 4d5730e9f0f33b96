package kc.runtime.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import kc.codegen.cuda.CudaRenderer;
import kc.runtime.Diagnostic;
import kc.runtime.Folders;

/** kc's CUDA C to PTX with the GPU host's nvcc (kc run --emit cuda, and kernels handed over as .cu files). */
public final class Nvcc {
    private Nvcc() {}

    /**
     * Compiles CUDA C that includes kc's header (written beside it) to PTX for {@code arch} ({@link
     * CudaRenderer#NVCC_FLAGS}: the source's numerics need no flag).
     *
     * @throws Diagnostic.MissingTool when nvcc is not on PATH
     * @throws GpuException when nvcc rejects the source (kc's CUDA C should always compile) or is interrupted
     */
    public static String ptx(String source, String arch) throws IOException {
        Path dir = Files.createTempDirectory("kc-nvcc");
        try {
            Files.writeString(dir.resolve(CudaRenderer.HEADER), CudaRenderer.header());
            Files.writeString(dir.resolve("model.cu"), source);
            Process p;
            try {
                p = new ProcessBuilder("nvcc", "-ptx", "-arch=" + arch, CudaRenderer.NVCC_FLAGS, "-o", "model.ptx", "model.cu")
                        .directory(dir.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new Diagnostic.MissingTool("CUDA C needs nvcc on PATH: " + e.getMessage());
            }
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new GpuException("nvcc failed on kc's CUDA C:\n" + log.strip());
            return Files.readString(dir.resolve("model.ptx"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuException("interrupted while nvcc ran");
        } finally {
            Folders.deleteTree(dir);
        }
    }
}
