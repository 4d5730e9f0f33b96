package kc.runtime.gpu;

/** A CUDA call failed (a kernel faulted, memory ran out, a module did not load); the message names what and why. */
public final class GpuException extends RuntimeException {
    public GpuException(String message) { super(message); }
    public GpuException(String message, Throwable cause) { super(message, cause); }
}
