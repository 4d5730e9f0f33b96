package kc.runtime.gpu;

import static jcuda.driver.CUdevice_attribute.*;
import static jcuda.driver.JCudaDriver.*;

import java.nio.charset.StandardCharsets;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUipcMemHandle;
import jcuda.driver.CUipcMem_flags;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JITOptions;
import jcuda.driver.CUjit_option;

/**
 * One NVIDIA GPU with its primary context current on the calling thread. All of kc's device work goes through
 * this class, so that every failing CUDA call becomes a {@link GpuException} saying what was being done.
 */
public final class GpuDevice implements AutoCloseable {
    private final CUdevice device;
    private final CUcontext context;
    private final DeviceInfo info;

    private GpuDevice(CUdevice device, CUcontext context, DeviceInfo info) {
        this.device = device;
        this.context = context;
        this.info = info;
    }

    /** Opens device {@code ordinal}, or says in one line why there is no GPU to open. */
    public static GpuDevice open(int ordinal) throws NoGpuException {
        try {
            setExceptionsEnabled(true);
            cuInit(0);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NoGpuException("no NVIDIA GPU here: the CUDA driver library (libcuda.so.1) is not installed");
        } catch (CudaException e) {
            throw new NoGpuException("no NVIDIA GPU here: the CUDA driver reports " + e.getMessage());
        }
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) throw new NoGpuException("no NVIDIA GPU here: the CUDA driver finds no device");
        if (ordinal >= count[0]) throw new NoGpuException("no GPU " + ordinal + ": the driver finds " + count[0]);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        return new GpuDevice(device, context, readInfo(device));
    }

    /** Whether a GPU can be opened here (tests that need one skip otherwise). */
    public static boolean available() {
        try (GpuDevice d = open(0)) {
            return true;
        } catch (NoGpuException e) {
            return false;
        }
    }

    private static DeviceInfo readInfo(CUdevice d) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        long[] total = new long[1];
        cuDeviceTotalMem(total, d);
        return new DeviceInfo(new String(name, 0, len, StandardCharsets.UTF_8),
                attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(d, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), attribute(d, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE),
                attribute(d, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK),
                attribute(d, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                attribute(d, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK), attribute(d, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK),
                attribute(d, CU_DEVICE_ATTRIBUTE_CLOCK_RATE), total[0]);
    }

    private static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    public DeviceInfo info() { return info; }

    /** Makes this device's context current on the calling thread (each thread that touches the device must). */
    public void makeCurrent() { cuCtxSetCurrent(context); }

    /** Allocates {@code bytes} (at least 1) of device memory. */
    public DeviceBuffer allocate(long bytes) {
        CUdeviceptr ptr = new CUdeviceptr();
        try {
            cuMemAlloc(ptr, Math.max(1, bytes));
        } catch (CudaException e) {
            long[] free = new long[1], total = new long[1];
            cuMemGetInfo(free, total);
            throw new GpuException(String.format("cannot allocate %.3g GB on the GPU (%.3g GB free): %s", bytes / 1e9, free[0] / 1e9, e.getMessage()));
        }
        return new DeviceBuffer(ptr, bytes);
    }

    /** Loads a PTX module through the driver's JIT; the JIT's error log becomes the exception's message. */
    public CUmodule loadPtx(String ptx, String what) {
        CUmodule module = new CUmodule();
        JITOptions options = new JITOptions();
        options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 1 << 16);
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[1 << 16]);
        byte[] image = (ptx + "\0").getBytes(StandardCharsets.UTF_8);
        try {
            cuModuleLoadDataJIT(module, Pointer.to(image), options);
        } catch (CudaException e) {
            String log = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            throw new GpuException("the driver could not load " + what + ": " + e.getMessage() + (log == null || log.isBlank() ? "" : "\n" + log.strip()));
        }
        return module;
    }

    /** A stream that does not synchronise with the legacy default stream. */
    public CUstream newStream() {
        CUstream s = new CUstream();
        cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING);
        return s;
    }

    public CUevent newEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, 0);
        return e;
    }

    /** Waits for all work; a fault in an earlier launch surfaces here, named. */
    public void synchronize(String after) {
        try {
            cuCtxSynchronize();
        } catch (CudaException e) {
            throw new GpuException(after + ": " + e.getMessage() + describe(e.getMessage()));
        }
    }

    private static String describe(String error) {
        if (error.contains("ILLEGAL_ADDRESS")) return " (a kernel read or wrote outside its buffers)";
        if (error.contains("LAUNCH_TIMEOUT")) return " (a kernel ran too long)";
        return "";
    }

    /** Bytes free and total on the device. */
    public long[] memoryInfo() {
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    /** Device memory other processes share by CUDA IPC, mapped once per allocation (handle) and kept until close. */
    private final java.util.Map<String, CUdeviceptr> ipcMappings = new java.util.HashMap<>();

    /** Copies {@code target.bytes()} bytes at {@code offset} in another process's shared allocation into target. */
    public void copyFromIpc(byte[] handle, long offset, DeviceBuffer target) {
        String key = java.util.HexFormat.of().formatHex(handle);
        CUdeviceptr base = ipcMappings.get(key);
        if (base == null) {
            CUipcMemHandle h = new CUipcMemHandle();
            try {
                // JCuda gives CUipcMemHandle no setter; its 64 bytes live in a private field
                java.lang.reflect.Field reserved = CUipcMemHandle.class.getDeclaredField("reserved");
                reserved.setAccessible(true);
                reserved.set(h, handle.clone());
            } catch (ReflectiveOperationException e) {
                throw new GpuException("this JCuda cannot take an IPC handle: " + e);
            }
            base = new CUdeviceptr();
            try {
                cuIpcOpenMemHandle(base, h, CUipcMem_flags.CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS);
            } catch (CudaException e) {
                throw new GpuException("cannot map the reference's shared memory: " + e.getMessage());
            }
            ipcMappings.put(key, base);
        }
        if (target.bytes() > 0) cuMemcpyDtoD(target.pointer(), base.withByteOffset(offset), target.bytes());
        synchronize("copying from the reference's shared memory"); // the reference reuses it after its next answer
    }

    @Override public void close() {
        try {
            cuCtxSynchronize();
            for (CUdeviceptr p : ipcMappings.values()) cuIpcCloseMemHandle(p);
        } catch (CudaException ignored) {
            // a faulted context cannot be synchronised; releasing it is still right
        }
        cuDevicePrimaryCtxRelease(device);
    }

    static String resultName(int result) { return CUresult.stringFor(result); }
}
