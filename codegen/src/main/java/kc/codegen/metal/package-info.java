/**
 * Metal Shading Language rendering of Tile IR kernels ({@link kc.codegen.metal.MetalRenderer}), with kc_metal.h
 * (pasted into every source) for what MSL lacks, and metal_cpu_shim.h, which compiles the MSL as C++ for the CPU.
 */
package kc.codegen.metal;
