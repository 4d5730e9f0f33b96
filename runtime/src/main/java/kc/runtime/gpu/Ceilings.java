package kc.runtime.gpu;

/**
 * A GPU's measured ceilings (MEASURING.md): device-to-device copy bandwidth (bytes read + written per second), fp32
 * SIMT and tensor-core matrix throughput (through PyTorch's matmul on the same GPU). Measured once per device and
 * cached.
 */
public record Ceilings(String device, double copyBytesPerSecond, double fp32FlopsPerSecond, double tensorCoreFlopsPerSecond) {
    public String summary() {
        return String.format("copy %.2f TB/s, fp32 %.1f TFLOP/s, tensor core (bf16) %.0f TFLOP/s",
                copyBytesPerSecond / 1e12, fp32FlopsPerSecond / 1e12, tensorCoreFlopsPerSecond / 1e12);
    }
}
