/**
 * Running compiled models on the CPU to check kernels without a GPU. {@link kc.runtime.cpu.CpuRunner} compiles
 * rendered kernels plus a driver generated from the {@link kc.ir.tile.LaunchPlan} with g++ (cached by content
 * hash), feeds it raw little-endian buffers and reads the outputs back. A {@link kc.runtime.cpu.CpuTarget} says how
 * one kernel language becomes C++: {@link kc.runtime.cpu.CudaCpuTarget} for CUDA C (kc_cuda.h with -DKC_CPU, whose
 * shim runs each GPU thread as a fiber with real barriers and emulated warp operations); a Metal target plugs in
 * the same way.
 */
package kc.runtime.cpu;
