package kc.runtime.gpu;

import static jcuda.driver.JCudaDriver.*;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/** A device allocation of {@code bytes}. Freed by {@link #close()} (once). */
public final class DeviceBuffer implements AutoCloseable {
    private final CUdeviceptr pointer;
    private final long bytes;
    private boolean freed;

    DeviceBuffer(CUdeviceptr pointer, long bytes) {
        this.pointer = pointer;
        this.bytes = bytes;
    }

    public CUdeviceptr pointer() {
        if (freed) throw new IllegalStateException("buffer used after free");
        return pointer;
    }

    public long bytes() { return bytes; }

    /** Fills every byte with {@code value} on {@code stream} (null: the default stream). */
    public void fill(byte value, CUstream stream) {
        if (stream == null) cuMemsetD8(pointer(), value, bytes);
        else cuMemsetD8Async(pointer(), value, bytes, stream);
    }

    public void copyFrom(DeviceBuffer other) {
        if (other.bytes != bytes) throw new IllegalArgumentException("copy of " + other.bytes + " bytes into " + bytes);
        if (bytes > 0) cuMemcpyDtoD(pointer(), other.pointer(), bytes);
    }

    public void download(Pointer host, long offset, long count) {
        cuMemcpyDtoH(host, pointer().withByteOffset(offset), count);
    }

    public void upload(Pointer host, long offset, long count) {
        cuMemcpyHtoD(pointer().withByteOffset(offset), host, count);
    }

    @Override public void close() {
        if (freed) return;
        freed = true;
        cuMemFree(pointer);
    }
}
