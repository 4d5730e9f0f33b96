// A kernel that faults: every thread writes a terabyte past its output. The launch fails with an illegal
// address and the CUDA context is lost; kc bench runs each problem in its own JVM, so only this problem fails.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x;
    out[i + (1ll << 38)] = fmaxf(x[i], 0.0f) * 2.0f + y[i];
}
