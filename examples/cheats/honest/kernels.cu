// The control: relu(x) * 2 + y, correctly. Every guard must pass it.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (1 << 20)) out[i] = fmaxf(x[i], 0.0f) * 2.0f + y[i];
}
