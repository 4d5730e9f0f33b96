package kc.runtime.gpu;

import static jcuda.driver.JCudaDriver.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import kc.ir.graph.DType;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;

/**
 * A compiled model loaded on the GPU: its kernels (one PTX module) and its launch plan. {@link #allocate()} gives a
 * fresh set of buffers (constants uploaded); {@link Bound#run} launches the plan's kernels in order on a stream.
 */
public final class GpuModel {
    private final GpuDevice device;
    private final LaunchPlan plan;
    private final Map<String, CUfunction> functions = new HashMap<>();

    public GpuModel(GpuDevice device, String ptx, LaunchPlan plan) {
        this.device = device;
        this.plan = plan;
        CUmodule module = device.loadPtx(ptx, "the kernels of " + plan.model());
        for (LaunchPlan.KernelLaunch l : plan.launches()) {
            if (functions.containsKey(l.kernel())) continue;
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, module, l.kernel());
            } catch (CudaException e) {
                throw new GpuException("the PTX has no kernel " + l.kernel() + " that the launch plan names");
            }
            if (l.dynamicSharedBytes() > 0) { // past 48 KB a function must be allowed its dynamic shared memory
                try {
                    cuFuncSetAttribute(f, jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, (int) l.dynamicSharedBytes());
                } catch (CudaException e) {
                    throw new GpuException("kernel " + l.kernel() + " needs " + l.dynamicSharedBytes() + " bytes of shared memory: " + e.getMessage());
                }
            }
            functions.put(l.kernel(), f);
            checkGeometry(l);
        }
    }

    private void checkGeometry(LaunchPlan.KernelLaunch l) {
        Launch g = l.launch();
        if (g.gridX() > Integer.MAX_VALUE || g.gridY() > 65535 || g.gridZ() > 65535)
            throw new GpuException("kernel " + l.kernel() + ": grid " + g.gridX() + "x" + g.gridY() + "x" + g.gridZ()
                    + " exceeds CUDA's limits (2^31-1 x 65535 x 65535)");
        if (g.threadsPerBlock() > device.info().maxThreadsPerBlock())
            throw new GpuException("kernel " + l.kernel() + ": " + g.threadsPerBlock() + " threads per block exceed the device's "
                    + device.info().maxThreadsPerBlock());
    }

    public LaunchPlan plan() { return plan; }

    public List<LaunchPlan.Buffer> buffers(LaunchPlan.Role role) {
        List<LaunchPlan.Buffer> r = new ArrayList<>();
        for (LaunchPlan.Buffer b : plan.buffers()) if (b.role() == role) r.add(b);
        r.sort(java.util.Comparator.comparingInt(LaunchPlan.Buffer::index));
        return r;
    }

    /** Allocates every buffer of the plan (fresh memory: nothing survives from an earlier run) and uploads constants. */
    public Bound allocate() {
        Map<String, DeviceBuffer> buffers = new LinkedHashMap<>();
        try {
            for (LaunchPlan.Buffer b : plan.buffers()) {
                DeviceBuffer d = device.allocate(b.bytes());
                buffers.put(b.name(), d);
                if (b.role() == LaunchPlan.Role.CONSTANT) d.upload(Pointer.to(encode(b.values(), b.dtype())), 0, b.bytes());
            }
        } catch (RuntimeException e) {
            buffers.values().forEach(DeviceBuffer::close);
            throw e;
        }
        return new Bound(buffers);
    }

    private static ByteBuffer encode(List<Double> values, DType dtype) { return encode(values.size(), values::get, dtype); }

    /** n values as dtype's little-endian bytes (bf16 rounded to nearest even), in a direct buffer for an upload. */
    static ByteBuffer encode(int n, java.util.function.IntToDoubleFunction value, DType dtype) {
        ByteBuffer buf = ByteBuffer.allocateDirect(n * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double v = value.applyAsDouble(i);
            switch (dtype) {
                case F32 -> buf.putFloat((float) v);
                case F64 -> buf.putDouble(v);
                case I32 -> buf.putInt((int) v);
                case I64 -> buf.putLong((long) v);
                case BOOL -> buf.put((byte) (v != 0 ? 1 : 0));
                case F16 -> buf.putShort(Float.floatToFloat16((float) v));
                case BF16 -> buf.putShort((short) (Float.floatToRawIntBits((float) v) + 0x7FFF + ((Float.floatToRawIntBits((float) v) >> 16) & 1) >>> 16));
            }
        }
        return buf.flip();
    }

    /** The model's buffers, with every launch's argument list prepared once (an unrolled RNN launches 50k kernels). */
    public final class Bound implements AutoCloseable {
        private final Map<String, DeviceBuffer> buffers;
        private final List<CUfunction> kernels = new ArrayList<>();
        private final List<Pointer> arguments = new ArrayList<>();

        private Bound(Map<String, DeviceBuffer> buffers) {
            this.buffers = buffers;
            for (LaunchPlan.KernelLaunch l : plan.launches()) {
                kernels.add(functions.get(l.kernel()));
                Pointer[] args = new Pointer[l.args().size()];
                for (int i = 0; i < args.length; i++) args[i] = Pointer.to(buffer(l.args().get(i)).pointer());
                arguments.add(Pointer.to(args));
            }
        }

        public DeviceBuffer buffer(String name) {
            DeviceBuffer b = buffers.get(name);
            if (b == null) throw new GpuException("the launch plan names no buffer " + name);
            return b;
        }

        public Map<String, DeviceBuffer> all() { return buffers; }

        /** Launches the whole plan on {@code stream} (null: the default stream); does not wait. */
        public void run(CUstream stream) { run(stream, null); }

        /**
         * The same, recording {@code marks[i]} before launch i and the last mark after the last launch (marks: one
         * more than the launches), so that each launch's time is the time between its marks.
         */
        public void run(CUstream stream, jcuda.driver.CUevent[] marks) {
            List<LaunchPlan.KernelLaunch> launches = plan.launches();
            for (int i = 0; i < launches.size(); i++) {
                if (marks != null) cuEventRecord(marks[i], stream);
                Launch g = launches.get(i).launch();
                try {
                    cuLaunchKernel(kernels.get(i), (int) g.gridX(), (int) g.gridY(), (int) g.gridZ(), g.blockX(), g.blockY(), g.blockZ(),
                            (int) launches.get(i).dynamicSharedBytes(), stream, arguments.get(i), null);
                } catch (CudaException e) {
                    throw new GpuException("launch " + i + " (" + launches.get(i).kernel() + "): " + e.getMessage());
                }
            }
            if (marks != null) cuEventRecord(marks[launches.size()], stream);
        }

        public int launchCount() { return plan.launches().size(); }

        @Override public void close() { buffers.values().forEach(DeviceBuffer::close); }
    }
}
