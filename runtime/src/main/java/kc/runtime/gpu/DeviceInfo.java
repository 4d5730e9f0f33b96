package kc.runtime.gpu;

import kc.passes.cost.MachineModel;

/** The properties of a GPU that kc's machine model and limits need, as the driver reports them. */
public record DeviceInfo(String name, int ccMajor, int ccMinor, int multiprocessors, long l2Bytes,
                         long sharedBytesPerBlock, long sharedBytesPerBlockOptin, int maxThreadsPerBlock,
                         int registersPerBlock, int clockKHz, long totalMemoryBytes) {

    /** The sm_XY target name for this device's compute capability. */
    public String target() { return "sm_" + ccMajor + ccMinor; }

    /**
     * The abstract machine for this device: limits from the driver, throughput from the measured ceilings when
     * given (else the published figures of the closest known target).
     */
    public MachineModel machineModel(Ceilings ceilings) {
        MachineModel known = MachineModel.forTarget(target());
        double bandwidth = ceilings != null ? ceilings.copyBytesPerSecond() : known != null ? known.bytesPerSecond() : 2e12;
        double flops = ceilings != null ? ceilings.fp32FlopsPerSecond() : known != null ? known.fp32FlopsPerSecond() : 20e12;
        double tensor = ceilings != null && ceilings.tensorCoreFlopsPerSecond() > 0 ? ceilings.tensorCoreFlopsPerSecond()
                : known != null ? known.tensorFlopsPerSecond() : 0;
        return new MachineModel(target(), name, bandwidth, flops, maxThreadsPerBlock,
                sharedBytesPerBlockOptin, registersPerBlock, 255, multiprocessors, ccMajor >= 8 ? tensor : 0);
    }

    public String summary() {
        return String.format("%s (sm_%d%d, %d SMs, %.0f MB L2, %.0f GiB)", name, ccMajor, ccMinor, multiprocessors,
                l2Bytes / 1e6, totalMemoryBytes / (double) (1L << 30));
    }
}
