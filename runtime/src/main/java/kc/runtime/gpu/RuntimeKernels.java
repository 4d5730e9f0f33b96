package kc.runtime.gpu;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import kc.ir.graph.DType;
import kc.runtime.verify.Tolerance;

/**
 * kc's own device helpers (kc_runtime_kernels.cu): allclose with error figures, bitwise difference counts, 64-bit
 * fingerprints and a uniform fill, so that the guards judge gigabyte outputs without copying them to the host.
 */
public final class RuntimeKernels {
    private static final int THREADS = 256;
    private final GpuDevice device;
    private final CUfunction compare, countDifferent, fingerprint, fillUniform;
    private final DeviceBuffer scratch;

    public RuntimeKernels(GpuDevice device) {
        this.device = device;
        CUmodule module = device.loadPtx(ptx(), "kc's runtime kernels");
        compare = function(module, "kc_compare");
        countDifferent = function(module, "kc_count_different");
        fingerprint = function(module, "kc_fingerprint");
        fillUniform = function(module, "kc_fill_uniform");
        scratch = device.allocate(64);
    }

    static String ptx() {
        try (InputStream in = RuntimeKernels.class.getResourceAsStream("/kc/runtime/gpu/kc_runtime_kernels.ptx")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CUfunction function(CUmodule module, String name) {
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, name);
        return f;
    }

    /** The element-type code the helper kernels use (kc_runtime_kernels.cu's T_ constants). */
    static int typeCode(DType dtype) {
        return switch (dtype) {
            case F32 -> 0; case F64 -> 1; case F16 -> 2; case BF16 -> 3; case I32 -> 4; case I64 -> 5; case BOOL -> 6;
        };
    }

    private static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 132L * 16));
    }

    /** allclose(out, ref) with the tolerance, over n elements; out and ref may have different dtypes. */
    public CompareStats compare(DeviceBuffer out, DType outType, DeviceBuffer ref, DType refType, long n, Tolerance tol) {
        if (!tol.scaledByRms()) return compareAbsolute(out, outType, ref, refType, n, tol, tol);
        CompareStats first = compareAbsolute(out, outType, ref, refType, n, new Tolerance(0, 0), tol); // for the reference's rms
        double rms = n - first.refNan() <= 0 ? 0 : Math.sqrt(first.sumSqRef() / (n - first.refNan()));
        return compareAbsolute(out, outType, ref, refType, n, tol.resolved(rms), tol);
    }

    private CompareStats compareAbsolute(DeviceBuffer out, DType outType, DeviceBuffer ref, DType refType, long n, Tolerance tol, Tolerance stated) {
        scratch.fill((byte) 0, null);
        Pointer params = Pointer.to(Pointer.to(out.pointer()), Pointer.to(new int[] {typeCode(outType)}),
                Pointer.to(ref.pointer()), Pointer.to(new int[] {typeCode(refType)}), Pointer.to(new long[] {n}),
                Pointer.to(new double[] {tol.atol()}), Pointer.to(new double[] {tol.rtol()}), Pointer.to(scratch.pointer()));
        cuLaunchKernel(compare, blocks(n), 1, 1, THREADS, 1, 1, 0, null, params, null);
        device.synchronize("comparing an output with the reference");
        long[] raw = new long[8];
        scratch.download(Pointer.to(raw), 0, 64);
        return new CompareStats(raw[0], raw[1], raw[2], raw[3], Double.longBitsToDouble(raw[4]),
                Double.longBitsToDouble(raw[5]), Double.longBitsToDouble(raw[6]), n, tol, stated);
    }

    /** How many of the n elements of {@code elementBytes} differ bit for bit between a and b. */
    public long countDifferent(DeviceBuffer a, DeviceBuffer b, long n, int elementBytes) {
        if (n == 0) return 0;
        scratch.fill((byte) 0, null);
        Pointer params = Pointer.to(Pointer.to(a.pointer()), Pointer.to(b.pointer()), Pointer.to(new long[] {n}),
                Pointer.to(new int[] {elementBytes}), Pointer.to(scratch.pointer()));
        cuLaunchKernel(countDifferent, blocks(n), 1, 1, THREADS, 1, 1, 0, null, params, null);
        device.synchronize("comparing two buffers");
        long[] count = new long[1];
        scratch.download(Pointer.to(count), 0, 8);
        return count[0];
    }

    /**
     * A 64-bit fingerprint of the bits of n elements of {@code elementBytes} (1, 2, 4 or 8): the wrapping sum over i
     * of mix64(bits_i ^ mix64(i)). Buffers with equal contents give equal fingerprints; buffers that differ (in any
     * element, or only in the order of their elements) give different ones except with probability about 2^-64. A
     * guard can so remember a gigabyte output in 8 bytes, to learn later whether another output equals it.
     */
    public long fingerprint(DeviceBuffer a, long n, int elementBytes) {
        if (n == 0) return 0;
        scratch.fill((byte) 0, null);
        Pointer params = Pointer.to(Pointer.to(a.pointer()), Pointer.to(new long[] {n}), Pointer.to(new int[] {elementBytes}),
                Pointer.to(scratch.pointer()));
        cuLaunchKernel(fingerprint, blocks(n), 1, 1, THREADS, 1, 1, 0, null, params, null);
        device.synchronize("fingerprinting a buffer");
        long[] print = new long[1];
        scratch.download(Pointer.to(print), 0, 8);
        return print[0];
    }

    /** Fills n elements with seeded uniform [0, 1) values (0/1 for integer types). */
    public void fillUniform(DeviceBuffer buffer, DType dtype, long n, long seed) {
        if (n == 0) return;
        Pointer params = Pointer.to(Pointer.to(buffer.pointer()), Pointer.to(new int[] {typeCode(dtype)}),
                Pointer.to(new long[] {n}), Pointer.to(new long[] {seed}));
        cuLaunchKernel(fillUniform, blocks(n), 1, 1, THREADS, 1, 1, 0, null, params, null);
        device.synchronize("filling a buffer");
    }
}
