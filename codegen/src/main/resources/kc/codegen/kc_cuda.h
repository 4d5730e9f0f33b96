// kc_cuda.h: the small functions kc's CUDA C calls where a plain C expression is not enough.
// With KC_CPU defined, kc_cuda_cpu.h provides the same functions for the CPU (kc's CPU runner).
#pragma once
#ifdef KC_CPU
#include "kc_cuda_cpu.h"
#else
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#define KC_INF_F __int_as_float(0x7f800000)
#define KC_NAN_F __int_as_float(0x7fffffff)
#define KC_INF_D __longlong_as_double(0x7ff0000000000000LL)
#define KC_NAN_D __longlong_as_double(0x7fffffffffffffffLL)

// The lane within the warp, from the linear thread index.
__device__ __forceinline__ int kc_lane() {
    return (int)(((threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x) & 31u);
}

template <typename T> __device__ __forceinline__ T kc_shfl_idx(T v, int lane) { return __shfl_sync(0xffffffffu, v, lane); }
template <typename T> __device__ __forceinline__ T kc_shfl_down(T v, int delta) { return __shfl_down_sync(0xffffffffu, v, (unsigned)delta); }
template <typename T> __device__ __forceinline__ T kc_shfl_xor(T v, int mask) { return __shfl_xor_sync(0xffffffffu, v, mask); }

// A kernel's shared memory past 48 KB: one dynamic allocation that the launch sizes (the size is the CPU shim's).
#define KC_DYNAMIC_SHARED(name, bytes) extern __shared__ __align__(16) unsigned char name[]

// cp.async of one 4-byte element into shared memory; invalid: nothing read, the element zero-filled (src-size 0).
__device__ __forceinline__ void kc_cp_async4(void* dst, const void* src, bool valid) {
    unsigned s = (unsigned)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" :: "r"(s), "l"(src), "r"(valid ? 4 : 0) : "memory");
}
__device__ __forceinline__ void kc_cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
#define kc_cp_async_wait(n) asm volatile("cp.async.wait_group %0;\n" :: "n"(n) : "memory")
#endif

// ---- shared by GPU and CPU: scalar semantics kc relies on (both compilers accept them) ----
#ifndef KC_HD
#define KC_HD __device__ __forceinline__
#endif

// NaN-propagating maximum and minimum (torch.maximum / torch.minimum).
KC_HD float kc_max(float a, float b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
KC_HD float kc_min(float a, float b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }
KC_HD double kc_max(double a, double b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
KC_HD double kc_min(double a, double b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }
KC_HD int kc_max(int a, int b) { return a > b ? a : b; }
KC_HD int kc_min(int a, int b) { return a < b ? a : b; }
KC_HD long long kc_max(long long a, long long b) { return a > b ? a : b; }
KC_HD long long kc_min(long long a, long long b) { return a < b ? a : b; }
KC_HD unsigned kc_max(unsigned a, unsigned b) { return a > b ? a : b; }
KC_HD unsigned kc_min(unsigned a, unsigned b) { return a < b ? a : b; }

// Sign with PyTorch's conventions: NaN stays NaN, zero stays zero.
KC_HD float kc_sign(float x) { return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x; }
KC_HD double kc_sign(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x; }
KC_HD int kc_sign(int x) { return (x > 0) - (x < 0); }
KC_HD long long kc_sign(long long x) { return (long long)((x > 0) - (x < 0)); }

// Sigmoid written so neither branch overflows.
KC_HD float kc_sigmoid(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}
KC_HD double kc_sigmoid(double x) {
    if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

#ifdef KC_CPU
// On the CPU: one exchange, then each lane replays the xor butterfly over all 32 values (the GPU's order).
template <typename T, class Op> inline T kc_warp_butterfly(T v, Op op) {
    unsigned tid = kc_tid(), base = tid & ~31u, n = kc_warp_size();
    uint64_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    kc_ctx->xch[tid] = u;
    kc_warp_sync();
    T vals[32];
    for (unsigned i = 0; i < 32; i++) { vals[i] = v; if (i < n) std::memcpy(&vals[i], &kc_ctx->xch[base + i], sizeof(T)); }
    kc_warp_sync();
    for (int o = 16; o > 0; o >>= 1) {
        T next[32];
        for (int i = 0; i < 32; i++) next[i] = op(vals[i], vals[i ^ o]);
        for (int i = 0; i < 32; i++) vals[i] = next[i];
    }
    return vals[tid & 31u];
}
template <typename T> inline T kc_warp_sum(T v) { return kc_warp_butterfly(v, [](T a, T b) { return a + b; }); }
template <typename T> inline T kc_warp_prod(T v) { return kc_warp_butterfly(v, [](T a, T b) { return a * b; }); }
template <typename T> inline T kc_warp_max(T v) { return kc_warp_butterfly(v, [](T a, T b) { return kc_max(a, b); }); }
template <typename T> inline T kc_warp_min(T v) { return kc_warp_butterfly(v, [](T a, T b) { return kc_min(a, b); }); }
#else
// ---- warp reductions (all lanes participate), butterflies over kc_shfl_xor ----
template <typename T> KC_HD T kc_warp_sum(T v) {
    for (int o = 16; o > 0; o >>= 1) v = v + kc_shfl_xor(v, o);
    return v;
}
template <typename T> KC_HD T kc_warp_prod(T v) {
    for (int o = 16; o > 0; o >>= 1) v = v * kc_shfl_xor(v, o);
    return v;
}
template <typename T> KC_HD T kc_warp_max(T v) {
    for (int o = 16; o > 0; o >>= 1) v = kc_max(v, kc_shfl_xor(v, o));
    return v;
}
template <typename T> KC_HD T kc_warp_min(T v) {
    for (int o = 16; o > 0; o >>= 1) v = kc_min(v, kc_shfl_xor(v, o));
    return v;
}

#endif

#ifndef KC_CPU


// ---- matrix units: PTX mma.sync with its fragment layouts ----
__device__ __forceinline__ unsigned kc_tf32(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}
// x rounded to tf32, as an f32 (the high part of a 3xtf32 split)
__device__ __forceinline__ float kc_round_tf32(float x) { return __uint_as_float(kc_tf32(x)); }
// the same for a finite x, in two integer operations (a NaN or an infinity may come out as anything)
__device__ __forceinline__ float kc_round_tf32_finite(float x) { return __uint_as_float((__float_as_uint(x) + 0x1000u) & 0xffffe000u); }

__device__ __forceinline__ void kc_mma_m16n8k8_tf32(float& d0, float& d1, float& d2, float& d3,
        float a0, float a1, float a2, float a3, float b0, float b1, float c0, float c1, float c2, float c3) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
        : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
        : "r"(kc_tf32(a0)), "r"(kc_tf32(a1)), "r"(kc_tf32(a2)), "r"(kc_tf32(a3)), "r"(kc_tf32(b0)), "r"(kc_tf32(b1)),
          "f"(c0), "f"(c1), "f"(c2), "f"(c3));
}

// lo and hi rounded to bf16 (to nearest even) in one register, lo in the low half: a 16-bit matrix-unit operand
__device__ __forceinline__ unsigned kc_pack_bf16x2(float lo, float hi) {
    unsigned r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

__device__ __forceinline__ void kc_mma_m16n8k16_f16(float& d0, float& d1, float& d2, float& d3,
        unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1, float c0, float c1, float c2, float c3) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
        : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(c0), "f"(c1), "f"(c2), "f"(c3));
}

__device__ __forceinline__ void kc_mma_m16n8k16_bf16(float& d0, float& d1, float& d2, float& d3,
        unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1, float c0, float c1, float c2, float c3) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
        : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(c0), "f"(c1), "f"(c2), "f"(c3));
}
#endif
