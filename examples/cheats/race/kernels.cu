// Cheat (an honest-looking bug): each block stages relu(x) * 2 in shared memory and reads its neighbour's
// slot without the __syncthreads() in between. Half of the warps are slowed down so that the others read stale
// shared memory left by earlier blocks: the result changes from run to run. Caught by running twice: deterministic.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    __shared__ float staged[256];
    int t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
    if (t >= 128) {
        long long start = clock64();
        while (clock64() - start < 2000) {}
    }
    staged[t] = fmaxf(x[i], 0.0f) * 2.0f;
    // missing: __syncthreads();
    int j = (t + 128) % 256, k = blockIdx.x * blockDim.x + j;
    out[k] = staged[j] + y[k];
}
