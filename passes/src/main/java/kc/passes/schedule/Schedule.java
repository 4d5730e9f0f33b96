package kc.passes.schedule;

import java.util.List;

/**
 * How a Graph becomes kernels: the kernels in launch order. Constant nodes get no kernel (they become CONSTANT
 * buffers of the launch plan); every other node is computed by exactly one kernel.
 */
public record Schedule(List<KernelSchedule> kernels) {
    public Schedule { kernels = List.copyOf(kernels); }
}
