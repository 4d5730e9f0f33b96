package kc.runtime.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jcuda.Pointer;
import kc.ir.interp.HostTensor;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.PlanJson;

/**
 * A compiled model on an NVIDIA GPU for Java callers: what the classes {@code kc compile --emit java} writes stand
 * on. It loads kc's PTX and launch plan, allocates every buffer once, uploads the weights once, and runs the plan
 * per forward on the device's default stream. Outputs and scratch are reused from one forward to the next.
 * Not thread-safe: one forward at a time. Close it to free its device memory.
 */
public final class CompiledModel implements AutoCloseable {
    private final GpuDevice device;
    private final boolean ownsDevice;
    private final GpuModel model;
    private final GpuModel.Bound bound;
    private final List<LaunchPlan.Buffer> inputs, outputs;

    private CompiledModel(GpuDevice device, boolean ownsDevice, String ptx, String planJson, Map<String, float[]> weights) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.model = new GpuModel(device, ptx, PlanJson.read(planJson).plan());
        this.inputs = model.buffers(LaunchPlan.Role.INPUT);
        this.outputs = model.buffers(LaunchPlan.Role.OUTPUT);
        this.bound = model.allocate();
        try {
            for (LaunchPlan.Buffer p : model.buffers(LaunchPlan.Role.PARAM)) {
                float[] w = weights.get(p.key());
                if (w == null) throw new IllegalArgumentException("no weight " + p.key() + " (" + describe(p) + ") among " + weights.keySet());
                upload(bound.buffer(p.name()), p, HostTensor.of(p.dtype(), p.shape(), toDoubles(w)), "weight " + p.key());
            }
        } catch (RuntimeException e) {
            bound.close();
            throw e;
        }
    }

    /**
     * The model on GPU 0 with these weights (state_dict key to row-major values; every weight the plan names must be
     * there, with its number of elements).
     *
     * @throws NoGpuException where there is no GPU
     */
    public static CompiledModel load(String ptx, String planJson, Map<String, float[]> weights) throws NoGpuException {
        GpuDevice device = GpuDevice.open(0);
        try {
            return new CompiledModel(device, true, ptx, planJson, weights);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /** The model on an open device (which stays the caller's to close). */
    public static CompiledModel load(GpuDevice device, String ptx, String planJson, Map<String, float[]> weights) {
        return new CompiledModel(device, false, ptx, planJson, weights);
    }

    /** The inputs forward takes, in order, with dtype and shape. */
    public List<LaunchPlan.Buffer> inputs() { return inputs; }

    /** The outputs forward returns, in order. */
    public List<LaunchPlan.Buffer> outputs() { return outputs; }

    /** Host in, host out: uploads the inputs, runs the plan, downloads the outputs. */
    public List<HostTensor> forward(List<HostTensor> hostInputs) {
        if (hostInputs.size() != inputs.size())
            throw new IllegalArgumentException("forward takes " + inputs.size() + " inputs, not " + hostInputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            LaunchPlan.Buffer b = inputs.get(i);
            HostTensor x = hostInputs.get(i);
            if (!x.shape().equals(b.shape()) || x.dtype() != b.dtype())
                throw new IllegalArgumentException("input " + i + " is " + x.dtype().torchName() + x.shape() + "; compiled for " + describe(b));
            upload(bound.buffer(b.name()), b, x, "input " + i);
        }
        run();
        List<HostTensor> result = new ArrayList<>();
        for (LaunchPlan.Buffer b : outputs) result.add(download(bound.buffer(b.name()), b));
        return result;
    }

    /**
     * Device in, device out: copies each input buffer (the dtype and size kc compiled for) into the model's own, runs
     * the plan and returns the model's output buffers, valid until the next forward or close.
     */
    public List<DeviceBuffer> forwardOnDevice(List<DeviceBuffer> deviceInputs) {
        if (deviceInputs.size() != inputs.size())
            throw new IllegalArgumentException("forward takes " + inputs.size() + " inputs, not " + deviceInputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            LaunchPlan.Buffer b = inputs.get(i);
            if (deviceInputs.get(i).bytes() != b.bytes())
                throw new IllegalArgumentException("input " + i + " holds " + deviceInputs.get(i).bytes() + " bytes; compiled for " + describe(b) + ", " + b.bytes() + " bytes");
            bound.buffer(b.name()).copyFrom(deviceInputs.get(i));
        }
        run();
        List<DeviceBuffer> result = new ArrayList<>();
        for (LaunchPlan.Buffer b : outputs) result.add(bound.buffer(b.name()));
        return result;
    }

    /** A device buffer of {@code bytes} on the model's GPU (for {@link #forwardOnDevice}); the caller closes it. */
    public DeviceBuffer allocate(long bytes) { return device.allocate(bytes); }

    private void run() {
        device.synchronize("copying the inputs");
        bound.run(null);
        device.synchronize("running " + model.plan().model());
    }

    @Override public void close() {
        bound.close();
        if (ownsDevice) device.close();
    }

    static String describe(LaunchPlan.Buffer b) { return b.dtype().torchName() + b.shape(); }

    private static double[] toDoubles(float[] w) {
        double[] d = new double[w.length];
        for (int i = 0; i < w.length; i++) d[i] = w[i];
        return d;
    }

    private static void upload(DeviceBuffer target, LaunchPlan.Buffer b, HostTensor x, String what) {
        hostSized(b, what);
        if (x.numel() != b.shape().numel())
            throw new IllegalArgumentException(what + " has " + x.numel() + " elements; compiled for " + describe(b));
        target.upload(Pointer.to(GpuModel.encode(x.numel(), x::getFlat, b.dtype())), 0, b.bytes());
    }

    private static HostTensor download(DeviceBuffer source, LaunchPlan.Buffer b) {
        hostSized(b, "output " + b.index());
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) b.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        source.download(Pointer.to(bytes), 0, b.bytes());
        double[] d = new double[(int) b.shape().numel()];
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (b.dtype()) {
                case F32 -> bytes.getFloat();
                case F64 -> bytes.getDouble();
                case I32 -> bytes.getInt();
                case I64 -> bytes.getLong();
                case BOOL -> bytes.get() != 0 ? 1 : 0;
                case F16 -> Float.float16ToFloat(bytes.getShort());
                case BF16 -> Float.intBitsToFloat(bytes.getShort() << 16);
            };
        }
        return HostTensor.of(b.dtype(), b.shape(), d);
    }

    /** Host tensors travel through one Java array: up to 2 GB (larger ones stay on the device). */
    private static void hostSized(LaunchPlan.Buffer b, String what) {
        if (b.bytes() > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(what + " (" + describe(b) + ") is over 2 GB: pass it on the device (forwardOnDevice)");
    }
}
