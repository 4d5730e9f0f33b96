// Cheat: the output is right, but the kernel uses its input as scratch space and leaves it changed (a later
// consumer of x, or a second call, would see garbage). Caught by comparing the inputs after the run: inputs-unchanged.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (1 << 20)) {
        float r = fmaxf(x[i], 0.0f);
        ((float*) x)[i] = r;  // "in place" relu
        out[i] = r * 2.0f + y[i];
    }
}
