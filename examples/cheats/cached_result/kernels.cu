// Cheat: computes the first result it is asked for, keeps it in device memory, and afterwards copies the cached
// result instead of computing (fast and right on repeated identical inputs). Freshly allocated buffers do not
// help against a cache of its own; comparing trials does: input-dependence.
__device__ float cache[1 << 20];
__device__ int filled;

extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (1 << 20)) return;
    if (filled) {  // set by the previous launch: every thread of this launch sees it
        out[i] = cache[i];
        return;
    }
    float r = fmaxf(x[i], 0.0f) * 2.0f + y[i];
    cache[i] = r;
    out[i] = r;
    if (i == 0) filled = 1;  // only for later launches: this one's other threads may or may not see it yet
}
