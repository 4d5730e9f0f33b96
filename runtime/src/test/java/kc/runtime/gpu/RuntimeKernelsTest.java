package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.codegen.Toolchain;
import kc.codegen.ptx.PtxasCheck;
import jcuda.Pointer;

/**
 * The verifier's device helpers: the committed PTX assembles, and is what its .cu source compiles to; on a GPU host,
 * the fingerprint kernel computes its documented hash.
 */
class RuntimeKernelsTest {
    static final Path SOURCE = Path.of("src/main/resources/kc/runtime/gpu/kc_runtime_kernels.cu");

    @Test void committedPtxAssemblesForSm80AndSm90() {
        String ptx = RuntimeKernels.ptx();
        for (String entry : new String[] {"kc_compare", "kc_count_different", "kc_fingerprint", "kc_fill_uniform"})
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

    /** On a GPU host: equal contents give equal fingerprints; one changed element or a swap of two gives another. */
    @Test void fingerprintSeesEveryElementAndItsPosition() throws NoGpuException {
        assumeTrue(GpuDevice.available(), "no GPU here: the fingerprint kernel runs only on a GPU host");
        try (GpuDevice device = GpuDevice.open(0)) {
            RuntimeKernels kernels = new RuntimeKernels(device);
            Random random = new Random(7);
            for (int elementBytes : new int[] {1, 2, 4, 8}) {
                int n = 300_007; // several blocks' grid-stride loops, and a partial last warp
                byte[] data = new byte[n * elementBytes];
                random.nextBytes(data);
                try (DeviceBuffer a = device.allocate(data.length); DeviceBuffer b = device.allocate(data.length)) {
                    a.upload(Pointer.to(data), 0, data.length);
                    b.upload(Pointer.to(data), 0, data.length);
                    long print = kernels.fingerprint(a, n, elementBytes);
                    String what = elementBytes + "-byte elements";
                    assertEquals(hostFingerprint(data, n, elementBytes), print, what + ": the documented hash");
                    assertEquals(print, kernels.fingerprint(b, n, elementBytes), what + ": a copy");
                    assertEquals(print, kernels.fingerprint(a, n, elementBytes), what + ": the same buffer again");

                    int i = 123_456, j = 4_321;
                    byte[] changed = data.clone();
                    changed[i * elementBytes] ^= 1; // one bit of one element
                    b.upload(Pointer.to(changed), 0, changed.length);
                    assertNotEquals(print, kernels.fingerprint(b, n, elementBytes), what + ": one element changed");

                    byte[] swapped = data.clone();
                    swapped[i * elementBytes] = (byte) ~data[j * elementBytes]; // make sure elements i and j differ
                    long withI = hostFingerprint(swapped, n, elementBytes);
                    for (int k = 0; k < elementBytes; k++) {
                        byte t = swapped[i * elementBytes + k];
                        swapped[i * elementBytes + k] = swapped[j * elementBytes + k];
                        swapped[j * elementBytes + k] = t;
                    }
                    b.upload(Pointer.to(swapped), 0, swapped.length);
                    long permuted = kernels.fingerprint(b, n, elementBytes);
                    assertEquals(hostFingerprint(swapped, n, elementBytes), permuted, what + ": the documented hash");
                    assertNotEquals(withI, permuted, what + ": the same elements in another order");
                }
            }
            try (DeviceBuffer empty = device.allocate(8)) {
                assertEquals(0, kernels.fingerprint(empty, 0, 4));
            }
        }
    }

    /** kc_fingerprint's hash on the host: the wrapping sum over i of mix64(bits_i ^ mix64(i)), bits little-endian. */
    static long hostFingerprint(byte[] data, int n, int elementBytes) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            long bits = 0;
            for (int k = elementBytes - 1; k >= 0; k--) bits = bits << 8 | (data[i * elementBytes + k] & 0xFF);
            sum += mix64(bits ^ mix64(i));
        }
        return sum;
    }

    static long mix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
