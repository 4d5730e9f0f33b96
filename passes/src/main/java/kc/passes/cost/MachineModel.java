package kc.passes.cost;

import java.util.Locale;

import kc.passes.schedule.Precision;

/**
 * The abstract machine a target stands for: the roofline numbers the floor-time estimate uses, the hard limits a
 * kernel must respect, and the number of multiprocessors (SMs; GPU cores on Apple) that the default schedules size
 * their grids by. Figures are the vendors' published peaks for the reference part of each target; the runtime
 * measures the real ceilings of the GPU at hand and replaces these.
 */
public record MachineModel(String target, String part, double bytesPerSecond, double fp32FlopsPerSecond,
                           int maxThreadsPerBlock, long maxSharedBytesPerBlock, int registersPerBlock,
                           int maxRegistersPerThread, int multiprocessors, double tensorFlopsPerSecond) {

    /** A machine without matrix units. */
    public MachineModel(String target, String part, double bytesPerSecond, double fp32FlopsPerSecond, int maxThreadsPerBlock,
                        long maxSharedBytesPerBlock, int registersPerBlock, int maxRegistersPerThread, int multiprocessors) {
        this(target, part, bytesPerSecond, fp32FlopsPerSecond, maxThreadsPerBlock, maxSharedBytesPerBlock, registersPerBlock,
                maxRegistersPerThread, multiprocessors, 0);
    }

    /**
     * H100 SXM: 3.35 TB/s HBM3, 67 TFLOP/s fp32, 989 TFLOP/s dense bf16 on the tensor cores; 227 KB shared per block
     * (opt-in), 64K registers, 132 SMs.
     */
    public static final MachineModel SM_90 = new MachineModel("sm_90", "H100 SXM", 3.35e12, 67e12, 1024, 227 * 1024, 65536, 255, 132, 989e12);
    /** A100 SXM 80GB: 2.04 TB/s HBM2e, 19.5 TFLOP/s fp32, 312 TFLOP/s dense bf16; 163 KB shared per block (opt-in), 108 SMs. */
    public static final MachineModel SM_80 = new MachineModel("sm_80", "A100 SXM", 2.04e12, 19.5e12, 1024, 163 * 1024, 65536, 255, 108, 312e12);
    /** An M2 Max-class Apple GPU: 400 GB/s unified memory, 13.6 TFLOP/s fp32; 32 KB threadgroup memory, 38 cores. */
    public static final MachineModel APPLE = new MachineModel("apple", "M2 Max", 400e9, 13.6e12, 1024, 32 * 1024, 65536, 255, 38);

    /** The model for a --target name, or null when kc does not know the target. */
    public static MachineModel forTarget(String target) {
        return switch (target.toLowerCase(Locale.ROOT)) {
            case "sm_90", "sm_90a" -> SM_90;
            case "sm_80" -> SM_80;
            case "apple" -> APPLE;
            default -> null;
        };
    }

    /** Whether the target has NVIDIA's tensor cores (mma.sync): Ampere and Hopper. Apple's GPUs emulate them slowly. */
    public boolean tensorCores() { return target.startsWith("sm_"); }

    /** The roofline floor of a piece of work: the larger of its compute time and its memory time. */
    public double floorSeconds(double flops, double bytes) { return floorSeconds(flops, bytes, fp32FlopsPerSecond); }

    /** The same at another compute rate (a contraction's matrix units). */
    public double floorSeconds(double flops, double bytes, double flopsPerSecond) {
        return Math.max(flops / flopsPerSecond, bytes / bytesPerSecond);
    }

    /**
     * The rate a contraction may reach under a precision class: its matrix unit's peak where the target has tensor
     * cores (tf32 half of bf16's, 3xtf32 a third of tf32's, counting each product once), else the cores' fp32 rate.
     */
    public double contractionFlopsPerSecond(Precision precision) {
        if (tensorFlopsPerSecond <= 0) return fp32FlopsPerSecond;
        return switch (precision) {
            case FP32 -> fp32FlopsPerSecond;
            case TF32X3 -> tensorFlopsPerSecond / 6;
            case TF32 -> tensorFlopsPerSecond / 2;
            case BF16 -> tensorFlopsPerSecond;
        };
    }

    public String describe() {
        return String.format(Locale.ROOT, "%s (%s: %.2f TB/s, %.1f TFLOP/s fp32%s)", target, part, bytesPerSecond / 1e12, fp32FlopsPerSecond / 1e12,
                tensorFlopsPerSecond > 0 ? String.format(Locale.ROOT, ", %.0f bf16 on tensor cores", tensorFlopsPerSecond / 1e12) : "");
    }
}
