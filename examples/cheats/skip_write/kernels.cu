// Cheat: computes only the first half of the output and leaves the rest as whatever the buffer held
// (a harness that reuses the reference's output buffer would never notice). Caught by poisoning: fully-written.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (1 << 19)) out[i] = fmaxf(x[i], 0.0f) * 2.0f + y[i];
}
