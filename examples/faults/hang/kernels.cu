// A kernel that never finishes (it waits for a negative input; get_inputs() draws from [0, 1)). The volatile read
// keeps the compiler from assuming the loop ends. kc bench's per-problem timeout kills its JVM; the sweep goes on.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    while (*(volatile const float*) &x[i] >= 0.0f) {}
    out[i] = fmaxf(x[i], 0.0f) * 2.0f + y[i];
}
