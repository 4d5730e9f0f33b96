// metal_cpu_shim.h: compiles kc's Metal Shading Language output as C++20 with g++ and runs it on the CPU.
//
// Every GPU thread of a threadgroup is a fiber on one CPU thread (x86-64: a six-register stack switch in
// assembly; elsewhere ucontext, whose signal-mask system calls make it slower), so threadgroup_barrier and the
// simdgroup operations really synchronise: a fiber that waits yields to the next, round robin. Threadgroups run
// one after another, so `threadgroup` arrays can be function statics. Simdgroups are 32 consecutive threads
// (linear index x + y * X + z * X * Y); simd_* functions exchange values through per-simdgroup slots between two
// simdgroup barriers. Threads that finished count as arrived (like CUDA's exited threads). A round in which no
// fiber makes progress is a deadlock (divergent barrier): the program stops with a message.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <type_traits>
#include <vector>
#include <ucontext.h>
#include <sys/mman.h>

#pragma GCC diagnostic ignored "-Wattributes"

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;

namespace metal {

// ---- 16-bit floats: storage types converting through float (round to nearest even) ----
inline uint32_t kc_f2u(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
inline float kc_u2f(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

struct half {
    uint16_t bits = 0;
    half() = default;
    half(float f) : bits(from(f)) {}
    half(double d) : half(float(d)) {}
    half(int i) : half(float(i)) {}
    operator float() const { return to(bits); }
    static uint16_t from(float f) {
        uint32_t x = kc_f2u(f);
        uint32_t sign = (x >> 16) & 0x8000u;
        uint32_t ax = x & 0x7fffffffu;
        if (ax >= 0x7f800000u) return uint16_t(sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u));
        if (ax >= 0x477ff000u) return uint16_t(sign | 0x7c00u);          // rounds to infinity
        if (ax < 0x38800000u) {                                           // subnormal or zero in half
            float a = kc_u2f(ax);
            // a * 2^24 is the subnormal's integer mantissa; nearbyint rounds to nearest even
            return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));
        }
        uint32_t mant = ax & 0x7fffffu;
        uint32_t exp = (ax >> 23) - 112u;
        uint32_t h = (exp << 10) | (mant >> 13);
        uint32_t rest = mant & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
        return uint16_t(sign | h);
    }
    static float to(uint16_t h) {
        uint32_t sign = uint32_t(h & 0x8000u) << 16;
        uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
        if (exp == 0) { float v = float(mant) / 16777216.0f; return sign ? -v : v; }
        if (exp == 31) return kc_u2f(sign | 0x7f800000u | (mant << 13));
        return kc_u2f(sign | ((exp + 112u) << 23) | (mant << 13));
    }
};

struct bfloat {
    uint16_t bits = 0;
    bfloat() = default;
    bfloat(float f) : bits(from(f)) {}
    bfloat(double d) : bfloat(float(d)) {}
    bfloat(int i) : bfloat(float(i)) {}
    operator float() const { return kc_u2f(uint32_t(bits) << 16); }
    static uint16_t from(float f) {
        uint32_t x = kc_f2u(f);
        if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);
        x += 0x7fffu + ((x >> 16) & 1u);
        return uint16_t(x >> 16);
    }
};

// ---- vector types: construction, broadcast, components; arithmetic is rendered per component by kc ----
template <typename T, int N> struct vec;
template <typename T> struct vec<T, 2> {
    T x, y;
    vec() : x(), y() {}
    explicit vec(T s) : x(s), y(s) {}
    vec(T a, T b) : x(a), y(b) {}
    T& operator[](int i) { return (&x)[i]; }
    const T& operator[](int i) const { return (&x)[i]; }
};
template <typename T> struct vec<T, 3> {
    T x, y, z;
    vec() : x(), y(), z() {}
    explicit vec(T s) : x(s), y(s), z(s) {}
    vec(T a, T b, T c) : x(a), y(b), z(c) {}
    T& operator[](int i) { return (&x)[i]; }
    const T& operator[](int i) const { return (&x)[i]; }
};
template <typename T> struct vec<T, 4> {
    T x, y, z, w;
    vec() : x(), y(), z(), w() {}
    explicit vec(T s) : x(s), y(s), z(s), w(s) {}
    vec(T a, T b, T c, T d) : x(a), y(b), z(c), w(d) {}
    T& operator[](int i) { return (&x)[i]; }
    const T& operator[](int i) const { return (&x)[i]; }
};

#define KC_VEC(T, NAME) typedef vec<T, 2> NAME##2; typedef vec<T, 3> NAME##3; typedef vec<T, 4> NAME##4;
KC_VEC(float, float) KC_VEC(half, half) KC_VEC(bfloat, bfloat) KC_VEC(int, int) KC_VEC(uint, uint)
KC_VEC(long, long) KC_VEC(bool, bool) KC_VEC(uchar, uchar) KC_VEC(ushort, ushort)
#undef KC_VEC

template <typename To, typename From> inline To as_type(const From& v) {
    static_assert(sizeof(To) == sizeof(From), "as_type needs equal sizes");
    To r; std::memcpy(&r, &v, sizeof(To)); return r;
}

// ---- math: metal::precise:: is the C library's correctly rounded or accurate functions ----
namespace precise {
inline float exp(float x) { return std::exp(x); }
inline float log(float x) { return std::log(x); }
inline float sqrt(float x) { return std::sqrt(x); }
inline float rsqrt(float x) { return 1.0f / std::sqrt(x); }
inline float tanh(float x) { return std::tanh(x); }
inline float sin(float x) { return std::sin(x); }
inline float cos(float x) { return std::cos(x); }
inline float fabs(float x) { return std::fabs(x); }
inline float fmod(float x, float y) { return std::fmod(x, y); }
inline float pow(float x, float y) { return std::pow(x, y); }
inline float atan2(float y, float x) { return std::atan2(y, x); }
}
inline float fabs(float x) { return std::fabs(x); }
inline float fma(float a, float b, float c) { return std::fma(a, b, c); } // one rounding, as Metal's
inline float floor(float x) { return std::floor(x); }
inline float ceil(float x) { return std::ceil(x); }
inline float rint(float x) { return std::nearbyint(x); }
inline bool isnan(float x) { return std::isnan(x); }
inline bool isinf(float x) { return std::isinf(x); }
inline int abs(int x) { return x < 0 ? -x : x; }
inline long abs(long x) { return x < 0 ? -x : x; }
inline uint abs(uint x) { return x; }
template <typename T> inline T min(T a, T b) { return b < a ? b : a; }
template <typename T> inline T max(T a, T b) { return a < b ? b : a; }

// ---- the scheduler: fibers, barriers, simdgroup exchange ----
#if defined(__x86_64__)
#define KC_ASM_FIBERS 1
// Saves the callee-saved registers on the current stack, stores its pointer in *from, continues on `to`.
extern "C" void kc_stack_switch(void** from, void* to);
asm(".text\n.globl kc_stack_switch\n.type kc_stack_switch,@function\nkc_stack_switch:\n"
    "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n  ret\n"
    ".size kc_stack_switch, .-kc_stack_switch\n");
#endif
struct kc_barrier {
    int expected = 0, arrived = 0;
    unsigned gen = 0;
};

struct kc_simdgroup {
    kc_barrier bar;
    alignas(16) unsigned char slot[32][16];
};

struct kc_fiber {
    ucontext_t ctx;
    void* sp = nullptr;
    char* stack = nullptr;
    bool done = false;
    vec<uint, 3> tid;
    uint lane = 0, sg = 0;
};

struct kc_runtime {
    static constexpr size_t stack_bytes = 256 * 1024;
    std::vector<kc_fiber> fibers;
    std::vector<kc_simdgroup> sgs;
    kc_barrier tg;
    ucontext_t sched;
    void* sched_sp = nullptr;
    kc_fiber* cur = nullptr;
    long progress = 0;
    const std::function<void(vec<uint, 3>, vec<uint, 3>, uint)>* body = nullptr;
    vec<uint, 3> bid;
};
inline kc_runtime& kc_rt() { static kc_runtime rt; return rt; }

inline void kc_yield() {
    kc_runtime& rt = kc_rt();
#ifdef KC_ASM_FIBERS
    kc_stack_switch(&rt.cur->sp, rt.sched_sp);
#else
    swapcontext(&rt.cur->ctx, &rt.sched);
#endif
}

inline void kc_release(kc_barrier& b) { b.arrived = 0; b.gen++; kc_rt().progress++; }

inline void kc_wait(kc_barrier& b) {
    unsigned my = b.gen;
    kc_rt().progress++;
    if (++b.arrived >= b.expected) { kc_release(b); return; }
    while (b.gen == my) kc_yield();
}

inline void kc_fiber_main() {
    kc_runtime& rt = kc_rt();
    kc_fiber* f = rt.cur;
    (*rt.body)(f->tid, rt.bid, f->lane);
    f->done = true;
    rt.progress++;
    // a finished thread no longer holds barriers back
    kc_barrier& s = rt.sgs[f->sg].bar;
    if (--s.expected <= s.arrived && s.arrived > 0) kc_release(s);
    if (--rt.tg.expected <= rt.tg.arrived && rt.tg.arrived > 0) kc_release(rt.tg);
}

#ifdef KC_ASM_FIBERS
// A fiber's first code: runs the thread, then returns to the scheduler for good.
inline void kc_fiber_entry() {
    kc_fiber_main();
    kc_runtime& rt = kc_rt();
    void* dead;
    kc_stack_switch(&dead, rt.sched_sp);
    std::abort();
}
#endif

enum class mem_flags { mem_none = 0, mem_device = 1, mem_threadgroup = 2, mem_texture = 4 };

inline void threadgroup_barrier(mem_flags) { kc_wait(kc_rt().tg); }

// Every lane publishes its value, then reads another's; the second barrier keeps slots stable until all have read.
template <typename T, typename F> inline T kc_exchange(T v, F read) {
    static_assert(sizeof(T) <= 16, "simdgroup values up to 16 bytes");
    kc_runtime& rt = kc_rt();
    kc_simdgroup& g = rt.sgs[rt.cur->sg];
    std::memcpy(g.slot[rt.cur->lane], &v, sizeof(T));
    kc_wait(g.bar);
    T r = read(g, int(rt.cur->lane), g.bar.expected);
    kc_wait(g.bar);
    return r;
}
template <typename T> inline T kc_slot(kc_simdgroup& g, int l) { T r; std::memcpy(&r, g.slot[l], sizeof(T)); return r; }
inline int kc_sg_size(int sg) { kc_runtime& rt = kc_rt(); int n = int(rt.fibers.size()) - sg * 32; return n < 32 ? n : 32; }

template <typename T> inline T simd_shuffle(T v, ushort src) {
    return kc_exchange(v, [&](kc_simdgroup& g, int, int) { return int(src) < kc_sg_size(kc_rt().cur->sg) ? kc_slot<T>(g, src) : v; });
}
template <typename T> inline T simd_shuffle_down(T v, ushort delta) {
    return kc_exchange(v, [&](kc_simdgroup& g, int l, int) { int s = l + delta; return s < kc_sg_size(kc_rt().cur->sg) ? kc_slot<T>(g, s) : v; });
}
template <typename T> inline T simd_shuffle_up(T v, ushort delta) {
    return kc_exchange(v, [&](kc_simdgroup& g, int l, int) { int s = l - int(delta); return s >= 0 ? kc_slot<T>(g, s) : v; });
}
template <typename T> inline T simd_shuffle_xor(T v, ushort mask) {
    return kc_exchange(v, [&](kc_simdgroup& g, int l, int) { int s = l ^ mask; return s < kc_sg_size(kc_rt().cur->sg) ? kc_slot<T>(g, s) : v; });
}
// Reductions combine lanes in lane order, every lane computing the same value.
template <typename T, typename Op> inline T kc_simd_fold(T v, Op op) {
    return kc_exchange(v, [&](kc_simdgroup& g, int, int) {
        int n = kc_sg_size(kc_rt().cur->sg);
        T acc = kc_slot<T>(g, 0);
        for (int i = 1; i < n; i++) acc = op(acc, kc_slot<T>(g, i));
        return acc;
    });
}
template <typename T> inline T simd_sum(T v) { return kc_simd_fold(v, [](T a, T b) { return T(a + b); }); }
template <typename T> inline T simd_product(T v) { return kc_simd_fold(v, [](T a, T b) { return T(a * b); }); }
template <typename T> inline T simd_max(T v) { return kc_simd_fold(v, [](T a, T b) { return max(a, b); }); }
template <typename T> inline T simd_min(T v) { return kc_simd_fold(v, [](T a, T b) { return min(a, b); }); }

typedef vec<uint, 3> kc_uint3;

// Runs a kernel over the grid: body(thread_position_in_threadgroup, threadgroup_position_in_grid, lane).
// Kernels that never synchronise run their threads as plain calls; the others as fibers.
inline void kc_launch(kc_uint3 grid, kc_uint3 block, bool synchronises,
                      const std::function<void(kc_uint3, kc_uint3, uint)>& body) {
    kc_runtime& rt = kc_rt();
    int n = int(block.x * block.y * block.z);
    for (uint bz = 0; bz < grid.z; bz++)
    for (uint by = 0; by < grid.y; by++)
    for (uint bx = 0; bx < grid.x; bx++) {
        kc_uint3 bid(bx, by, bz);
        if (!synchronises) {
            for (int i = 0; i < n; i++) {
                kc_uint3 tid(uint(i) % block.x, (uint(i) / block.x) % block.y, uint(i) / (block.x * block.y));
                body(tid, bid, uint(i) % 32u);
            }
            continue;
        }
        if (int(rt.fibers.size()) != n) {
            for (kc_fiber& f : rt.fibers) munmap(f.stack, kc_runtime::stack_bytes);
            rt.fibers.assign(n, kc_fiber());
            for (kc_fiber& f : rt.fibers) {
                void* p = mmap(nullptr, kc_runtime::stack_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
                if (p == MAP_FAILED) { std::fprintf(stderr, "kc shim: cannot map a fiber stack\n"); std::exit(2); }
                f.stack = static_cast<char*>(p);
            }
        }
        rt.sgs.assign((n + 31) / 32, kc_simdgroup());
        for (int s = 0; s < int(rt.sgs.size()); s++) rt.sgs[s].bar.expected = kc_sg_size(s);
        rt.tg = kc_barrier();
        rt.tg.expected = n;
        rt.body = &body;
        rt.bid = bid;
        for (int i = 0; i < n; i++) {
            kc_fiber& f = rt.fibers[i];
            f.done = false;
            f.tid = kc_uint3(uint(i) % block.x, (uint(i) / block.x) % block.y, uint(i) / (block.x * block.y));
            f.lane = uint(i) % 32u;
            f.sg = uint(i) / 32u;
#ifdef KC_ASM_FIBERS
            // the stack as kc_stack_switch leaves it: six registers, then kc_fiber_entry as the return address,
            // placed so that the entry sees the ABI's alignment (rsp + 8 a multiple of 16)
            void** top = reinterpret_cast<void**>(f.stack + kc_runtime::stack_bytes);
            top[-1] = nullptr;
            top[-2] = reinterpret_cast<void*>(&kc_fiber_entry);
            for (int r = 3; r <= 8; r++) top[-r] = nullptr;
            f.sp = top - 8;
#else
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = f.stack;
            f.ctx.uc_stack.ss_size = kc_runtime::stack_bytes;
            f.ctx.uc_link = &rt.sched;
            makecontext(&f.ctx, kc_fiber_main, 0);
#endif
        }
        int alive = n;
        while (alive > 0) {
            long before = rt.progress;
            alive = 0;
            for (int i = 0; i < n; i++) {
                kc_fiber& f = rt.fibers[i];
                if (f.done) continue;
                rt.cur = &f;
#ifdef KC_ASM_FIBERS
                kc_stack_switch(&rt.sched_sp, f.sp);
#else
                swapcontext(&rt.sched, &f.ctx);
#endif
                if (!f.done) alive++;
            }
            rt.cur = nullptr;
            if (alive > 0 && rt.progress == before) {
                std::fprintf(stderr, "kc shim: deadlock in threadgroup (%u,%u,%u): threads wait at barriers others never reach\n", bx, by, bz);
                std::exit(3);
            }
        }
    }
}

} // namespace metal

// MSL keywords and address spaces: `threadgroup` arrays are shared by the fibers of the running threadgroup.
#define kernel
#define device
#define constant const
#define thread
#define threadgroup static
