package kc.ir.tile;

import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Shape;

/**
 * How to run a compiled model: the buffers (with shapes, dtypes and roles) and the ordered kernel launches with
 * their arguments. Enough for any runtime, including a hand-written one, to execute the model: allocate every
 * buffer (each on its own, at least 16-byte aligned: kernels may use 16-byte vector accesses; cuMemAlloc and Metal
 * buffers are), upload inputs and parameters (by name) and constants (by value), launch in order, read the outputs.
 */
public record LaunchPlan(String model, List<Buffer> buffers, List<KernelLaunch> launches, String precision) {
    public LaunchPlan {
        buffers = List.copyOf(buffers);
        launches = List.copyOf(launches);
    }

    /** A plan whose precision class is not recorded (plans written before kc recorded it). */
    public LaunchPlan(String model, List<Buffer> buffers, List<KernelLaunch> launches) { this(model, buffers, launches, null); }

    public enum Role {
        /** A graph input, in get_inputs() order ({@code index}). */
        INPUT,
        /** A parameter or buffer of the model, named by its state_dict key. */
        PARAM,
        /** A graph output, in forward's return order ({@code index}). */
        OUTPUT,
        /** A literal tensor whose row-major values are in {@code values}. */
        CONSTANT,
        /** An intermediate result; its contents do not survive the forward pass. */
        SCRATCH
    }

    /**
     * @param name   the buffer's name, as kernels' launch arguments refer to it
     * @param index  position among the inputs or outputs (0 for other roles)
     * @param key    the state_dict key for PARAM, else null
     * @param values the literal contents for CONSTANT, else null
     */
    public record Buffer(String name, Role role, int index, String key, DType dtype, Shape shape, List<Double> values) {
        public long bytes() { return shape.numel() * dtype.bytes; }
    }

    /** One launch: the kernel by name, its geometry, its buffer arguments in parameter order and its shared memory. */
    public record KernelLaunch(String kernel, Launch launch, List<String> args, long sharedBytes) {
        public KernelLaunch { args = List.copyOf(args); }

        /** The dynamic shared memory the launch must ask for (and the function allow): 0 where it is static. */
        public long dynamicSharedBytes() { return sharedBytes > Kernel.STATIC_SHARED_LIMIT ? sharedBytes : 0; }
    }
}
