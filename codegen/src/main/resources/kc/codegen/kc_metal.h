// ---- kc_metal.h: kc's helpers for MSL (pasted into every generated source; also compiles on kc's CPU shim) ----
// Functions MSL lacks or gives other semantics: NaN-propagating min/max (PyTorch), erf/log1p/expm1, sign,
// warp shuffles of 64-bit values, warp reductions, and mma with PTX's m16n8k8 / m16n8k16 fragment layouts.

inline float kc_recip(float x) { return 1.0f / x; }
inline float kc_sigmoid(float x) { return 1.0f / (1.0f + metal::precise::exp(-x)); }

// max/min that return NaN when either side is NaN (metal::fmax returns the other operand)
inline float kc_fmax_nan(float a, float b) { return (a > b || metal::isnan(a)) ? a : b; }
inline float kc_fmin_nan(float a, float b) { return (a < b || metal::isnan(a)) ? a : b; }

// sign: NaN stays NaN and zero keeps its sign (Java's signum, PyTorch's sign)
inline float kc_sign(float x) { return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x); }
inline int kc_sign(int x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }
inline long kc_sign(long x) { return x > 0 ? long(1) : (x < 0 ? long(-1) : long(0)); }
inline uint kc_sign(uint x) { return x > 0u ? 1u : 0u; }

// erf: a Taylor series near zero (relative accuracy), Abramowitz-Stegun 7.1.26 elsewhere (|error| < 1.5e-7)
inline float kc_erf(float x) {
    float ax = metal::fabs(x);
    if (metal::isnan(x)) return x;
    if (ax < 0.5f) {
        float x2 = x * x;
        float p = -1.0f / 1320.0f;
        p = p * x2 + 1.0f / 216.0f;
        p = p * x2 - 1.0f / 42.0f;
        p = p * x2 + 1.0f / 10.0f;
        p = p * x2 - 1.0f / 3.0f;
        p = p * x2 + 1.0f;
        return 1.1283791670955126f * x * p;
    }
    float t = 1.0f / (1.0f + 0.3275911f * ax);
    float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    float r = 1.0f - poly * metal::precise::exp(-ax * ax);
    return x < 0.0f ? -r : r;
}

// log1p / expm1 from log / exp with the rounding error of 1 + x cancelled (needs fast math off)
inline float kc_log1p(float x) {
    float u = 1.0f + x;
    if (u == 1.0f) return x;
    if (metal::isinf(u)) return u;
    return metal::precise::log(u) * (x / (u - 1.0f));
}
inline float kc_expm1(float x) {
    float u = metal::precise::exp(x);
    if (u == 1.0f) return x;
    float um1 = u - 1.0f;
    if (um1 == -1.0f) return -1.0f;
    if (metal::isinf(u)) return u;
    return um1 * (x / metal::precise::log(u));
}

// ---- warp (simdgroup) shuffles: CUDA's lane rules; 64-bit values move as two 32-bit halves ----
inline float kc_shfl_idx(float v, int l) { return simd_shuffle(v, ushort(l & 31)); }
inline int kc_shfl_idx(int v, int l) { return simd_shuffle(v, ushort(l & 31)); }
inline uint kc_shfl_idx(uint v, int l) { return simd_shuffle(v, ushort(l & 31)); }
inline long kc_shfl_idx(long v, int l) { return as_type<long>(simd_shuffle(as_type<uint2>(v), ushort(l & 31))); }

// lanes past the end keep their own value (Metal and CUDA agree)
inline float kc_shfl_down(float v, int d) { return d >= 32 ? v : simd_shuffle_down(v, ushort(d)); }
inline int kc_shfl_down(int v, int d) { return d >= 32 ? v : simd_shuffle_down(v, ushort(d)); }
inline uint kc_shfl_down(uint v, int d) { return d >= 32 ? v : simd_shuffle_down(v, ushort(d)); }
inline long kc_shfl_down(long v, int d) { return d >= 32 ? v : as_type<long>(simd_shuffle_down(as_type<uint2>(v), ushort(d))); }

inline float kc_shfl_xor(float v, int m) { return simd_shuffle_xor(v, ushort(m & 31)); }
inline int kc_shfl_xor(int v, int m) { return simd_shuffle_xor(v, ushort(m & 31)); }
inline uint kc_shfl_xor(uint v, int m) { return simd_shuffle_xor(v, ushort(m & 31)); }
inline long kc_shfl_xor(long v, int m) { return as_type<long>(simd_shuffle_xor(as_type<uint2>(v), ushort(m & 31))); }

// ---- warp reductions over 32 lanes; every lane gets the result ----
inline float kc_simd_sum(float v) { return simd_sum(v); }
inline int kc_simd_sum(int v) { return simd_sum(v); }
inline uint kc_simd_sum(uint v) { return simd_sum(v); }
inline float kc_simd_prod(float v) { return simd_product(v); }
inline int kc_simd_prod(int v) { return simd_product(v); }
inline uint kc_simd_prod(uint v) { return simd_product(v); }
inline int kc_simd_max(int v) { return simd_max(v); }
inline uint kc_simd_max(uint v) { return simd_max(v); }
inline int kc_simd_min(int v) { return simd_min(v); }
inline uint kc_simd_min(uint v) { return simd_min(v); }
// float max/min by butterfly so that NaN propagates (simd_max's NaN behaviour is unspecified)
inline float kc_simd_max(float v) {
    for (int m = 16; m >= 1; m >>= 1) v = kc_fmax_nan(v, kc_shfl_xor(v, m));
    return v;
}
inline float kc_simd_min(float v) {
    for (int m = 16; m >= 1; m >>= 1) v = kc_fmin_nan(v, kc_shfl_xor(v, m));
    return v;
}
// 64-bit integers: Metal's simd reductions stop at 32 bits
inline long kc_simd_sum(long v) { for (int m = 16; m >= 1; m >>= 1) v += kc_shfl_xor(v, m); return v; }
inline long kc_simd_prod(long v) { for (int m = 16; m >= 1; m >>= 1) v *= kc_shfl_xor(v, m); return v; }
inline long kc_simd_max(long v) { for (int m = 16; m >= 1; m >>= 1) v = metal::max(v, kc_shfl_xor(v, m)); return v; }
inline long kc_simd_min(long v) { for (int m = 16; m >= 1; m >>= 1) v = metal::min(v, kc_shfl_xor(v, m)); return v; }

// ---- mma: d = a * b + c over a simdgroup, fragments laid out as PTX's mma.sync (group g = lane / 4, t = lane % 4).
// simdgroup_matrix's per-thread layout is opaque, so the operands are gathered with shuffles (exact, not fast).
// C/D (16x8 f32): c0, c1 at row g, columns 2t, 2t+1; c2, c3 at row g + 8.

// tf32: f32 with a 10-bit mantissa, rounded to nearest, ties away from zero (cvt.rna.tf32.f32)
inline float kc_tf32(float x) {
    if (metal::isnan(x) || metal::isinf(x)) return x;
    uint u = as_type<uint>(x);
    u = (u + 0x1000u) & 0xffffe000u;
    return as_type<float>(u);
}

// the same for a finite x, in two integer operations (a NaN or an infinity may come out as anything)
inline float kc_tf32_finite(float x) { return as_type<float>((as_type<uint>(x) + 0x1000u) & 0xffffe000u); }

// m16n8k8 tf32. A (16x8): a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4). B (8x8): b0 (t, g), b1 (t + 4, g).
inline void kc_mma_m16n8k8_tf32(thread float& d0, thread float& d1, thread float& d2, thread float& d3,
                                float a0, float a1, float a2, float a3, float b0, float b1,
                                float c0, float c1, float c2, float c3, uint lane) {
    int g = int(lane) >> 2, t = int(lane) & 3;
    float s0 = c0, s1 = c1, s2 = c2, s3 = c3;
    for (int k = 0; k < 8; ++k) {
        int ownerA = g * 4 + (k & 3);                   // holds A[g][k] and A[g + 8][k]
        int ownerB0 = (2 * t) * 4 + (k & 3);            // holds B[k][2t]
        int ownerB1 = (2 * t + 1) * 4 + (k & 3);        // holds B[k][2t + 1]
        float top = kc_tf32(kc_shfl_idx(k < 4 ? a0 : a2, ownerA));
        float bottom = kc_tf32(kc_shfl_idx(k < 4 ? a1 : a3, ownerA));
        float bl = kc_tf32(kc_shfl_idx(k < 4 ? b0 : b1, ownerB0));
        float br = kc_tf32(kc_shfl_idx(k < 4 ? b0 : b1, ownerB1));
        s0 += top * bl; s1 += top * br; s2 += bottom * bl; s3 += bottom * br;
    }
    d0 = s0; d1 = s1; d2 = s2; d3 = s3;
}

// m16n8k16 with 16-bit inputs, two per 32-bit register (lower index in the low half).
// A (16x16): a0 (g, 2t..2t+1), a1 (g + 8, 2t..), a2 (g, 2t+8..), a3 (g + 8, 2t+8..). B (16x8): b0 (2t..2t+1, g), b1 (2t+8.., g).
inline float kc_half_lo(uint r) { return float(as_type<half2>(r)[0]); }
inline float kc_half_hi(uint r) { return float(as_type<half2>(r)[1]); }
inline float kc_bf16_lo(uint r) { return as_type<float>(r << 16); }
inline float kc_bf16_hi(uint r) { return as_type<float>(r & 0xffff0000u); }
// lo and hi rounded to bf16 (to nearest even; NaN stays NaN) in one register, lo in the low half
inline uint kc_bf16_bits(float f) {
    uint x = as_type<uint>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (x >> 16) | 0x40u;
    return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
}
inline uint kc_pack_bf16x2(float lo, float hi) { return kc_bf16_bits(lo) | (kc_bf16_bits(hi) << 16); }

#define KC_MMA_M16N8K16(NAME, LO, HI)                                                                          \
inline void NAME(thread float& d0, thread float& d1, thread float& d2, thread float& d3,                      \
                 uint a0, uint a1, uint a2, uint a3, uint b0, uint b1,                                         \
                 float c0, float c1, float c2, float c3, uint lane) {                                          \
    int g = int(lane) >> 2, t = int(lane) & 3;                                                                 \
    float s0 = c0, s1 = c1, s2 = c2, s3 = c3;                                                                  \
    for (int kp = 0; kp < 8; ++kp) {                   /* k = 2 kp and 2 kp + 1 share a register */            \
        int ownerA = g * 4 + (kp & 3);                                                                         \
        int ownerB0 = (2 * t) * 4 + (kp & 3);                                                                  \
        int ownerB1 = (2 * t + 1) * 4 + (kp & 3);                                                              \
        uint top = kc_shfl_idx(kp < 4 ? a0 : a2, ownerA);                                                      \
        uint bottom = kc_shfl_idx(kp < 4 ? a1 : a3, ownerA);                                                   \
        uint bl = kc_shfl_idx(kp < 4 ? b0 : b1, ownerB0);                                                      \
        uint br = kc_shfl_idx(kp < 4 ? b0 : b1, ownerB1);                                                      \
        s0 += LO(top) * LO(bl) + HI(top) * HI(bl);                                                             \
        s1 += LO(top) * LO(br) + HI(top) * HI(br);                                                             \
        s2 += LO(bottom) * LO(bl) + HI(bottom) * HI(bl);                                                       \
        s3 += LO(bottom) * LO(br) + HI(bottom) * HI(br);                                                       \
    }                                                                                                          \
    d0 = s0; d1 = s1; d2 = s2; d3 = s3;                                                                        \
}
KC_MMA_M16N8K16(kc_mma_m16n8k16_f16, kc_half_lo, kc_half_hi)
KC_MMA_M16N8K16(kc_mma_m16n8k16_bf16, kc_bf16_lo, kc_bf16_hi)
#undef KC_MMA_M16N8K16
// ---- end of kc_metal.h ----
