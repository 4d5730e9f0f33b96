/**
 * kc's GPU runtime on NVIDIA hardware, through JCuda's driver API: load the kernels of a compiled model (PTX through
 * the driver's JIT), allocate its buffers from the launch plan, launch, and judge and time the result.
 * <ul>
 *   <li>{@link kc.runtime.gpu.GpuDevice}: the device, its context and properties ({@link kc.runtime.gpu.DeviceInfo}).</li>
 *   <li>{@link kc.runtime.gpu.GpuModel}: a compiled model loaded on the device; runs the launch plan.</li>
 *   <li>{@link kc.runtime.gpu.ReferenceServer}: PyTorch running the original module beside the runtime.</li>
 *   <li>{@link kc.runtime.gpu.GpuVerifier}: MEASURING.md's correctness rules and anti-cheat guards.</li>
 *   <li>{@link kc.runtime.gpu.GpuTimer}: events, warm-ups, L2 flush, median and mean.</li>
 * </ul>
 */
package kc.runtime.gpu;
