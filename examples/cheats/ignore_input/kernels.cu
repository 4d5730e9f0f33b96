// Cheat: ignores y and adds its expected value (0.5 for get_inputs()'s uniform [0, 1) draws) instead. The output
// still changes from trial to trial (x changes), so only changing y alone exposes it: input-dependence.
extern "C" __global__ void forward(float* out, const float* x, const float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (1 << 20)) out[i] = fmaxf(x[i], 0.0f) * 2.0f + 0.5f;
}
