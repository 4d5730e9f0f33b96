// kc's GPU runtime helpers: the verification guards compare, diff and fill buffers on the device, so that
// multi-gigabyte outputs never have to be copied to the host. Not generated code: these kernels only judge and
// feed the generated ones.
//
// Rebuild the PTX beside this file (the runtime loads it through the driver's JIT) with
//   scripts/build-runtime-kernels.sh
// RuntimeKernelsTest checks that the committed PTX matches this source.

// Element types, as kc.runtime.gpu.ElementType numbers them.
#define T_F32 0
#define T_F64 1
#define T_F16 2
#define T_BF16 3
#define T_I32 4
#define T_I64 5
#define T_BOOL 6

#include <cuda_fp16.h>
#include <cuda_bf16.h>

__device__ double load_as_double(const void* p, int type, long long i) {
    switch (type) {
        case T_F32: return (double) ((const float*) p)[i];
        case T_F64: return ((const double*) p)[i];
        case T_F16: return (double) __half2float(((const __half*) p)[i]);
        case T_BF16: return (double) __bfloat162float(((const __nv_bfloat16*) p)[i]);
        case T_I32: return (double) ((const int*) p)[i];
        case T_I64: return (double) ((const long long*) p)[i];
        default: return (double) ((const unsigned char*) p)[i];
    }
}

// True when every byte of element i is 0xFF: the poison the runtime writes before a run.
__device__ bool is_poison(const void* p, int type, long long i) {
    switch (type) {
        case T_F32: case T_I32: return ((const unsigned int*) p)[i] == 0xFFFFFFFFu;
        case T_F64: case T_I64: return ((const unsigned long long*) p)[i] == 0xFFFFFFFFFFFFFFFFull;
        case T_F16: case T_BF16: return ((const unsigned short*) p)[i] == 0xFFFFu;
        default: return ((const unsigned char*) p)[i] == 0xFFu;
    }
}

// Field order matters: kc.runtime.gpu.CompareStats reads this struct back as 8 longs/doubles.
struct CompareStats {
    unsigned long long mismatches;   // elements outside atol + rtol * |ref| (NaN and inf mismatches included)
    unsigned long long out_nan;      // NaN in the output where the reference is not NaN
    unsigned long long ref_nan;      // NaN in the reference
    unsigned long long poison;       // elements still holding the poison pattern
    unsigned long long max_abs_bits; // max |out - ref| over finite pairs, as the bits of a non-negative double
    double sum_sq_diff;
    double sum_sq_ref;
    unsigned long long count;
};

__device__ void block_sum(double* s, double v) {
    s[threadIdx.x] = v;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
}

// allclose(out, ref, atol, rtol) with the error figures, out and ref of possibly different element types.
// Launch with 256 threads per block; any grid (grid-stride loop).
extern "C" __global__ void kc_compare(const void* out, int out_type, const void* ref, int ref_type, long long n,
                                      double atol, double rtol, CompareStats* stats) {
    __shared__ double s[256];
    unsigned long long mismatches = 0, out_nan = 0, ref_nan = 0, poison = 0;
    double max_abs = 0, sq_diff = 0, sq_ref = 0;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        double o = load_as_double(out, out_type, i), r = load_as_double(ref, ref_type, i);
        if (is_poison(out, out_type, i)) poison++;
        if (isnan(r)) { ref_nan++; mismatches++; continue; }
        if (isnan(o)) { out_nan++; mismatches++; continue; }
        if (isinf(r) || isinf(o)) {
            if (o != r) { mismatches++; max_abs = __longlong_as_double(0x7FF0000000000000ll); }
            continue;
        }
        double d = fabs(o - r);
        max_abs = fmax(max_abs, d);
        sq_diff += d * d;
        sq_ref += r * r;
        if (d > atol + rtol * fabs(r)) mismatches++;
    }
    block_sum(s, (double) mismatches);
    if (threadIdx.x == 0 && s[0] != 0) atomicAdd(&stats->mismatches, (unsigned long long) s[0]);
    __syncthreads();
    block_sum(s, (double) out_nan);
    if (threadIdx.x == 0 && s[0] != 0) atomicAdd(&stats->out_nan, (unsigned long long) s[0]);
    __syncthreads();
    block_sum(s, (double) ref_nan);
    if (threadIdx.x == 0 && s[0] != 0) atomicAdd(&stats->ref_nan, (unsigned long long) s[0]);
    __syncthreads();
    block_sum(s, (double) poison);
    if (threadIdx.x == 0 && s[0] != 0) atomicAdd(&stats->poison, (unsigned long long) s[0]);
    __syncthreads();
    block_sum(s, sq_diff);
    if (threadIdx.x == 0) atomicAdd(&stats->sum_sq_diff, s[0]);
    __syncthreads();
    block_sum(s, sq_ref);
    if (threadIdx.x == 0) atomicAdd(&stats->sum_sq_ref, s[0]);
    __syncthreads();
    // max of non-negative doubles = max of their bit patterns as unsigned integers
    s[threadIdx.x] = max_abs;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] = fmax(s[threadIdx.x], s[threadIdx.x + k]);
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        atomicMax(&stats->max_abs_bits, (unsigned long long) __double_as_longlong(s[0]));
        if (blockIdx.x == 0) stats->count = n;
    }
}

// Counts the elements of element_bytes (1, 2, 4 or 8) that differ bit for bit between a and b.
extern "C" __global__ void kc_count_different(const void* a, const void* b, long long n, int element_bytes,
                                              unsigned long long* count) {
    __shared__ double s[256];
    unsigned long long differing = 0;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        bool same;
        switch (element_bytes) {
            case 8: same = ((const unsigned long long*) a)[i] == ((const unsigned long long*) b)[i]; break;
            case 4: same = ((const unsigned int*) a)[i] == ((const unsigned int*) b)[i]; break;
            case 2: same = ((const unsigned short*) a)[i] == ((const unsigned short*) b)[i]; break;
            default: same = ((const unsigned char*) a)[i] == ((const unsigned char*) b)[i]; break;
        }
        if (!same) differing++;
    }
    block_sum(s, (double) differing);
    if (threadIdx.x == 0 && s[0] != 0) atomicAdd(count, (unsigned long long) s[0]);
}

__device__ unsigned long long mix64(unsigned long long z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// An order-independent 64-bit fingerprint of n elements of element_bytes (1, 2, 4 or 8): the wrapping sum over i
// of mix64(bits_i ^ mix64(i)), added into *out (zero it first). Equal buffers give equal fingerprints whatever the
// launch; buffers that differ anywhere (a permutation too: the index is hashed in) give different ones except with
// probability about 2^-64. Launch with 256 threads per block; any grid (grid-stride loop).
extern "C" __global__ void kc_fingerprint(const void* a, long long n, int element_bytes, unsigned long long* out) {
    __shared__ unsigned long long s[32];
    unsigned long long sum = 0;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        unsigned long long bits;
        switch (element_bytes) {
            case 8: bits = ((const unsigned long long*) a)[i]; break;
            case 4: bits = ((const unsigned int*) a)[i]; break;
            case 2: bits = ((const unsigned short*) a)[i]; break;
            default: bits = ((const unsigned char*) a)[i]; break;
        }
        sum += mix64(bits ^ mix64((unsigned long long) i));
    }
    // unsigned sums wrap, and wrapping addition is associative and commutative: any reduction order gives the same
    for (int k = 16; k > 0; k >>= 1) sum += __shfl_down_sync(0xFFFFFFFFu, sum, k);
    int warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
    if (threadIdx.x % 32 == 0) s[warp] = sum;
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned long long total = 0;
        for (int w = 0; w < warps; w++) total += s[w];
        atomicAdd(out, total);
    }
}

// Fills a buffer with uniform [0, 1) values (floats), or 0/1 (ints, bools): inputs for timing runs, whose
// values do not matter beyond being ordinary numbers.
extern "C" __global__ void kc_fill_uniform(void* p, int type, long long n, unsigned long long seed) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        double u = (double) (mix64(seed ^ mix64((unsigned long long) i)) >> 11) * (1.0 / 9007199254740992.0);
        switch (type) {
            case T_F32: ((float*) p)[i] = (float) u; break;
            case T_F64: ((double*) p)[i] = u; break;
            case T_F16: ((__half*) p)[i] = __float2half((float) u); break;
            case T_BF16: ((__nv_bfloat16*) p)[i] = __float2bfloat16((float) u); break;
            case T_I32: ((int*) p)[i] = u < 0.5 ? 0 : 1; break;
            case T_I64: ((long long*) p)[i] = u < 0.5 ? 0 : 1; break;
            default: ((unsigned char*) p)[i] = u < 0.5 ? 0 : 1; break;
        }
    }
}
