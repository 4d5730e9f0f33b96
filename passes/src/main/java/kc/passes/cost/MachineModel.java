package kc.passes.cost;

import java.util.Locale;

/**
 * The abstract machine a target stands for: the roofline numbers the floor-time estimate uses, the hard limits a
 * kernel must respect, and the number of multiprocessors (SMs; GPU cores on Apple) that the default schedules size
 * their grids by. Figures are the vendors' published peaks for the reference part of each target; the runtime
 * measures the real ceilings of the GPU at hand and replaces these.
 */
public record MachineModel(String target, String part, double bytesPerSecond, double fp32FlopsPerSecond,
                           int maxThreadsPerBlock, long maxSharedBytesPerBlock, int registersPerBlock,
                           int maxRegistersPerThread, int multiprocessors) {

    /** H100 SXM: 3.35 TB/s HBM3, 67 TFLOP/s fp32; 227 KB shared per block (opt-in), 64K registers, 132 SMs. */
    public static final MachineModel SM_90 = new MachineModel("sm_90", "H100 SXM", 3.35e12, 67e12, 1024, 227 * 1024, 65536, 255, 132);
    /** A100 SXM 80GB: 2.04 TB/s HBM2e, 19.5 TFLOP/s fp32; 163 KB shared per block (opt-in), 108 SMs. */
    public static final MachineModel SM_80 = new MachineModel("sm_80", "A100 SXM", 2.04e12, 19.5e12, 1024, 163 * 1024, 65536, 255, 108);
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
    public double floorSeconds(double flops, double bytes) {
        return Math.max(flops / fp32FlopsPerSecond, bytes / bytesPerSecond);
    }

    public String describe() {
        return String.format(Locale.ROOT, "%s (%s: %.2f TB/s, %.1f TFLOP/s fp32)", target, part, bytesPerSecond / 1e12, fp32FlopsPerSecond / 1e12);
    }
}
