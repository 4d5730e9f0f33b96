// kc_cuda_cpu.h: runs kc's CUDA C on the CPU (g++ -std=c++20 -DKC_CPU), to check kernels without a GPU.
// Every GPU thread of a block is a fiber (a few lines of x86-64 assembly; ucontext elsewhere) with its own stack, all on one CPU thread; barriers really
// synchronise: a fiber that reaches __syncthreads (or a warp exchange) yields, and the block's scheduler resumes the
// waiting fibers once every live fiber of the block (or warp) has arrived. Blocks run one after another. Warp
// shuffles, warp reductions and mma are emulated through per-warp exchange slots, mma with PTX's exact fragment
// layouts. Kernels without barriers or warp operations run their threads as plain calls (same results, faster).
#pragma once
#include <ucontext.h>
#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// Shared memory: one copy per kernel function, valid because blocks run one at a time.
#define __shared__ static
#define KC_DYNAMIC_SHARED(name, bytes) alignas(16) static unsigned char name[bytes]
#define __align__(n) __attribute__((aligned(n)))
#define KC_HD inline

#define KC_INF_F (__builtin_inff())
#define KC_NAN_F (__builtin_nanf(""))
#define KC_INF_D (__builtin_inf())
#define KC_NAN_D (__builtin_nan(""))

using std::isnan;
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }

struct kc_uint3 { unsigned x, y, z; };
inline thread_local kc_uint3 threadIdx, blockIdx;
inline kc_uint3 blockDim, gridDim;

// ---- CUDA's vector types (vector_types.h) that kc's 16-byte and 8-byte accesses use: aligned to their size as on
// the GPU, and may_alias because kc's CUDA C reads a float buffer through a float4 pointer ----
#define KC_VECTOR2(T, N) struct __attribute__((may_alias, aligned(2 * sizeof(T)))) N##2 { T x, y; }; \
    inline N##2 make_##N##2(T a, T b) { return {a, b}; }
#define KC_VECTOR4(T, N) struct __attribute__((may_alias, aligned(4 * sizeof(T)))) N##4 { T x, y, z, w; }; \
    inline N##4 make_##N##4(T a, T b, T c, T d) { return {a, b, c, d}; }
KC_VECTOR2(float, float) KC_VECTOR4(float, float)
KC_VECTOR2(int, int) KC_VECTOR4(int, int)
KC_VECTOR2(unsigned, uint) KC_VECTOR4(unsigned, uint)
KC_VECTOR2(double, double) KC_VECTOR2(long long, longlong)
#undef KC_VECTOR2
#undef KC_VECTOR4

// ---- half types: storage only, arithmetic happens in float ----
inline uint16_t kc_f2h(float f) {
    uint32_t x; std::memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);          // rounds to infinity
    if (ax < 0x38800000u) {                                            // subnormal or zero: units of 2^-24
        float af; std::memcpy(&af, &ax, 4);
        return (uint16_t)(sign | (uint32_t)std::nearbyint(af * 16777216.0f));
    }
    uint32_t h = (((ax >> 23) - 112u) << 10) | ((ax & 0x7fffffu) >> 13);
    uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
    return (uint16_t)(sign | h);
}
inline float kc_h2f(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0) { float f = (float)m * 5.9604644775390625e-8f; return sign ? -f : f; }
    uint32_t x = e == 31 ? (sign | 0x7f800000u | (m << 13)) : (sign | ((e + 112u) << 23) | (m << 13));
    float f; std::memcpy(&f, &x, 4);
    return f;
}
inline uint16_t kc_f2bf(float f) {
    uint32_t x; std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
inline float kc_bf2f(uint16_t b) { uint32_t x = (uint32_t)b << 16; float f; std::memcpy(&f, &x, 4); return f; }
// CUDA's one-rounding arithmetic (kc's CUDA C never leaves a float add or multiply to nvcc's fma contraction);
// g++ in ISO C++ mode contracts nothing either
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
// cvt.rn.bf16x2.f32: lo and hi rounded to bf16 in one register, lo in the low half
inline unsigned kc_pack_bf16x2(float lo, float hi) { return (unsigned)kc_f2bf(lo) | ((unsigned)kc_f2bf(hi) << 16); }

struct __half {
    uint16_t bits;
    __half() = default;
    __half(float f) : bits(kc_f2h(f)) {}
    operator float() const { return kc_h2f(bits); }
};
struct __nv_bfloat16 {
    uint16_t bits;
    __nv_bfloat16() = default;
    __nv_bfloat16(float f) : bits(kc_f2bf(f)) {}
    operator float() const { return kc_bf2f(bits); }
};

// ---- fibers: a context switch that saves only callee-saved registers (x86-64), else ucontext ----
#if defined(__x86_64__)
extern "C" void kc_switch(void** save_sp, void* next_sp);
asm(R"(
    .text
    .globl kc_switch
    .type kc_switch, @function
kc_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
)");
struct kc_fiber {
    void* sp = nullptr;
    // A fresh stack whose first switch "returns" into entry with the ABI's alignment.
    void start(char* stack, size_t size, void (*entry)()) {
        uintptr_t top = ((uintptr_t)(stack + size)) & ~(uintptr_t)15;
        void** p = (void**)top;
        *--p = nullptr;                 // entry's return address: entry never returns
        *--p = (void*)entry;            // popped by kc_switch's ret
        for (int i = 0; i < 6; i++) *--p = nullptr;   // rbp rbx r12-r15
        sp = p;
    }
    void switch_to(kc_fiber& next) { kc_switch(&sp, next.sp); }
};
#else
struct kc_fiber {
    ucontext_t uc;
    void start(char* stack, size_t size, void (*entry)()) {
        getcontext(&uc);
        uc.uc_stack.ss_sp = stack;
        uc.uc_stack.ss_size = size;
        uc.uc_link = nullptr;
        makecontext(&uc, entry, 0);
    }
    void switch_to(kc_fiber& next) { swapcontext(&uc, &next.uc); }
};
#endif

// ---- the block being run: fibers and their scheduler ----
enum kc_fiber_state { KC_READY, KC_WAIT_BLOCK, KC_WAIT_WARP, KC_DONE };
struct kc_block_ctx {
    unsigned threads;
    std::vector<kc_fiber> fibers;
    std::vector<kc_fiber_state> state;
    std::unique_ptr<char[]> stacks;   // uninitialised: only the pages a fiber touches are mapped
    kc_fiber scheduler;
    unsigned current = 0;
    std::vector<uint64_t> xch;      // one shuffle slot per thread
    std::vector<float> frag;        // 16 mma fragment slots per thread
    static constexpr size_t STACK = 128 * 1024;
    explicit kc_block_ctx(unsigned t) : threads(t), fibers(t), state(t), stacks(new char[STACK * (size_t)t]), xch(t), frag(16 * (size_t)t) {}
};
inline kc_block_ctx* kc_ctx = nullptr;

inline unsigned kc_tid() { return (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x; }
inline int kc_lane() { return (int)(kc_tid() & 31u); }
inline unsigned kc_warp_size() { unsigned base = kc_tid() & ~31u; return std::min(32u, kc_ctx->threads - base); }

inline void kc_wait(kc_fiber_state why) {
    if (!kc_ctx) { std::fprintf(stderr, "kc cpu: a barrier or warp operation in a kernel launched without synchronisation\n"); std::abort(); }
    unsigned me = kc_ctx->current;
    kc_ctx->state[me] = why;
    kc_ctx->fibers[me].switch_to(kc_ctx->scheduler);
}
inline void kc_warp_sync() { kc_wait(KC_WAIT_WARP); }
inline void __syncthreads() { kc_wait(KC_WAIT_BLOCK); }
// asynchronous copies land at once: a fiber runs alone until its next barrier, so no other thread can tell
template <typename T> inline void kc_cp_async4(T* dst, const T* src, bool valid) { *dst = valid ? *src : T(0); }
inline void kc_cp_async_commit() {}
inline void kc_cp_async_wait(int) {}
template <typename T> inline T kc_shfl(T v, int srcLane, bool keepOwnPastEnd) {
    static_assert(sizeof(T) <= 8, "shuffles carry at most 64 bits");
    unsigned tid = kc_tid(), base = tid & ~31u, n = kc_warp_size();
    uint64_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    kc_ctx->xch[tid] = u;
    kc_warp_sync();
    T r = v;
    if (srcLane >= 0 && (unsigned)srcLane < n) std::memcpy(&r, &kc_ctx->xch[base + srcLane], sizeof(T));
    else if (!keepOwnPastEnd && n > 0) std::memcpy(&r, &kc_ctx->xch[base + ((unsigned)srcLane & 31u) % n], sizeof(T));
    kc_warp_sync();
    return r;
}
template <typename T> inline T kc_shfl_idx(T v, int lane) { return kc_shfl(v, lane & 31, false); }
template <typename T> inline T kc_shfl_down(T v, int delta) { return kc_shfl(v, kc_lane() + delta, true); }
template <typename T> inline T kc_shfl_xor(T v, int mask) { return kc_shfl(v, kc_lane() ^ (mask & 31), true); }


// ---- mma.sync emulation with PTX's fragment layouts (groupID = lane / 4, tig = lane % 4) ----
// Each lane publishes its a, b, c fragments; after a warp barrier every lane computes its own d elements.
inline float kc_tf32_round(float x) {               // cvt.rna.tf32.f32: keep 10 mantissa bits, ties away from zero
    uint32_t u; std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) { u += 0x1000u; u &= 0xffffe000u; }
    float r; std::memcpy(&r, &u, 4);
    return r;
}
inline float kc_round_tf32(float x) { return kc_tf32_round(x);
}
inline float kc_round_tf32_finite(float x) {         // the same for a finite x (a NaN or an infinity: anything)
    uint32_t u; std::memcpy(&u, &x, 4);
    u = (u + 0x1000u) & 0xffffe000u;
    float r; std::memcpy(&r, &u, 4);
    return r;
}

// A (16 x K), B (K x 8), C (16 x 8) gathered from the warp's fragments by the layout callbacks.
template <int K, class LoadA, class LoadB>
inline void kc_mma_emulate(float& d0, float& d1, float& d2, float& d3, float c0, float c1, float c2, float c3,
                           LoadA a, LoadB b) {
    unsigned lane = (unsigned)kc_lane(), g = lane >> 2, t = lane & 3;
    float c[4] = {c0, c1, c2, c3}, d[4];
    for (int i = 0; i < 4; i++) {
        unsigned row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
        float acc = c[i];
        for (int k = 0; k < K; k++) acc += a(row, k) * b(k, col);
        d[i] = acc;
    }
    kc_warp_sync();                                   // every lane has read the fragments
    d0 = d[0]; d1 = d[1]; d2 = d[2]; d3 = d[3];
}

inline float* kc_frag(unsigned lane) { return &kc_ctx->frag[16 * (size_t)((kc_tid() & ~31u) + lane)]; }

inline void kc_mma_m16n8k8_tf32(float& d0, float& d1, float& d2, float& d3,
        float a0, float a1, float a2, float a3, float b0, float b1, float c0, float c1, float c2, float c3) {
    float* f = kc_frag((unsigned)kc_lane());
    f[0] = kc_tf32_round(a0); f[1] = kc_tf32_round(a1); f[2] = kc_tf32_round(a2); f[3] = kc_tf32_round(a3);
    f[4] = kc_tf32_round(b0); f[5] = kc_tf32_round(b1);
    kc_warp_sync();
    // a_i: row g + 8*(i&1), col t + 4*(i>>1); b_i: row t + 4*i, col g
    auto A = [](unsigned row, int k) { unsigned lane = (row & 7) * 4 + (k & 3); return kc_frag(lane)[(row >= 8 ? 1 : 0) + (k >= 4 ? 2 : 0)]; };
    auto B = [](int k, unsigned col) { unsigned lane = col * 4 + (k & 3); return kc_frag(lane)[4 + (k >= 4 ? 1 : 0)]; };
    kc_mma_emulate<8>(d0, d1, d2, d3, c0, c1, c2, c3, A, B);
}

// m16n8k16 with two 16-bit values per 32-bit register (the lower half holds the lower column / row).
template <float (*Cvt)(uint16_t)>
inline void kc_mma_m16n8k16(float& d0, float& d1, float& d2, float& d3,
        unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1, float c0, float c1, float c2, float c3) {
    float* f = kc_frag((unsigned)kc_lane());
    unsigned regs[6] = {a0, a1, a2, a3, b0, b1};
    for (int r = 0; r < 6; r++) { f[2 * r] = Cvt((uint16_t)(regs[r] & 0xffffu)); f[2 * r + 1] = Cvt((uint16_t)(regs[r] >> 16)); }
    kc_warp_sync();
    // a_i (i = 0..3): row g + 8*(i&1), cols 2t + 8*(i>>1) + {0,1}; b_i: rows 2t + 8*i + {0,1}, col g
    auto A = [](unsigned row, int k) {
        unsigned lane = (row & 7) * 4 + ((k & 7) >> 1);
        int reg = (row >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0);
        return kc_frag(lane)[2 * reg + (k & 1)];
    };
    auto B = [](int k, unsigned col) {
        unsigned lane = col * 4 + ((k & 7) >> 1);
        int reg = 4 + (k >= 8 ? 1 : 0);
        return kc_frag(lane)[2 * reg + (k & 1)];
    };
    kc_mma_emulate<16>(d0, d1, d2, d3, c0, c1, c2, c3, A, B);
}
inline void kc_mma_m16n8k16_f16(float& d0, float& d1, float& d2, float& d3, unsigned a0, unsigned a1, unsigned a2, unsigned a3,
        unsigned b0, unsigned b1, float c0, float c1, float c2, float c3) {
    kc_mma_m16n8k16<kc_h2f>(d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, c0, c1, c2, c3);
}
inline void kc_mma_m16n8k16_bf16(float& d0, float& d1, float& d2, float& d3, unsigned a0, unsigned a1, unsigned a2, unsigned a3,
        unsigned b0, unsigned b1, float c0, float c1, float c2, float c3) {
    kc_mma_m16n8k16<kc_bf2f>(d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, c0, c1, c2, c3);
}

// ---- launching: blocks in order; with sync, one fiber per GPU thread ----
inline const std::function<void()>* kc_body = nullptr;
inline void kc_fiber_main() {
    (*kc_body)();
    unsigned me = kc_ctx->current;
    kc_ctx->state[me] = KC_DONE;
    kc_ctx->fibers[me].switch_to(kc_ctx->scheduler);   // never resumed
    std::abort();
}

inline void kc_set_thread(unsigned t) { threadIdx = {t % blockDim.x, (t / blockDim.x) % blockDim.y, t / (blockDim.x * blockDim.y)}; }

// Runs one block's fibers until all are done, releasing barriers when everyone concerned has arrived.
inline void kc_run_block(kc_block_ctx& ctx) {
    unsigned n = ctx.threads;
    for (unsigned t = 0; t < n; t++) {
        ctx.fibers[t].start(&ctx.stacks[kc_block_ctx::STACK * t], kc_block_ctx::STACK, kc_fiber_main);
        ctx.state[t] = KC_READY;
    }
    for (;;) {
        bool ran = false;
        for (unsigned t = 0; t < n; t++) {
            if (ctx.state[t] != KC_READY) continue;
            ran = true;
            ctx.current = t;
            kc_set_thread(t);
            ctx.scheduler.switch_to(ctx.fibers[t]);
        }
        bool released = false, alive = false, allBlock = true;
        for (unsigned w = 0; w * 32 < n; w++) {
            unsigned lo = w * 32, hi = std::min(n, lo + 32);
            bool all = true, any = false;
            for (unsigned t = lo; t < hi; t++) {
                if (ctx.state[t] == KC_DONE) continue;
                any = true;
                if (ctx.state[t] != KC_WAIT_WARP) all = false;
            }
            if (any && all) { for (unsigned t = lo; t < hi; t++) if (ctx.state[t] == KC_WAIT_WARP) ctx.state[t] = KC_READY; released = true; }
        }
        if (released) continue;
        for (unsigned t = 0; t < n; t++) {
            if (ctx.state[t] == KC_DONE) continue;
            alive = true;
            if (ctx.state[t] != KC_WAIT_BLOCK) allBlock = false;
        }
        if (!alive) return;
        if (allBlock) { for (unsigned t = 0; t < n; t++) if (ctx.state[t] == KC_WAIT_BLOCK) ctx.state[t] = KC_READY; continue; }
        if (!ran) { std::fprintf(stderr, "kc cpu: deadlock: threads wait at different barriers\n"); std::abort(); }
    }
}

// Not a template: a model has hundreds of launches and each would instantiate the whole launcher.
inline void kc_launch(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, bool sync,
                      const std::function<void()>& body) {
    gridDim = {gx, gy, gz};
    blockDim = {bx, by, bz};
    unsigned threads = bx * by * bz;
    if (!sync) {
        for (unsigned z = 0; z < gz; z++) for (unsigned y = 0; y < gy; y++) for (unsigned x = 0; x < gx; x++) {
            blockIdx = {x, y, z};
            for (unsigned t = 0; t < threads; t++) { kc_set_thread(t); body(); }
        }
        return;
    }
    kc_block_ctx ctx(threads);
    kc_ctx = &ctx;
    kc_body = &body;
    for (unsigned z = 0; z < gz; z++) for (unsigned y = 0; y < gy; y++) for (unsigned x = 0; x < gx; x++) {
        blockIdx = {x, y, z};
        kc_run_block(ctx);
    }
    kc_ctx = nullptr;
    kc_body = nullptr;
}
