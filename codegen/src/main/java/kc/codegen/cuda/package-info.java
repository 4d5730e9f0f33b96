/** CUDA C rendering of Tile IR kernels, with kc_cuda.h intrinsics for GPU-only instructions. */
package kc.codegen.cuda;
