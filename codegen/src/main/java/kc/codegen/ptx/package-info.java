/**
 * PTX written by kc itself from Tile IR ({@link kc.codegen.ptx.PtxRenderer}); ptxas ({@link kc.codegen.ptx.PtxasCheck})
 * only checks it and reports registers and shared memory.
 *
 * <p>How it is organised:
 * <ul>
 *   <li>{@code Unroll}: loops marked unroll are expanded by substitution and integer arithmetic folded (also through
 *       Let), so that local arrays indexed by constants become registers;</li>
 *   <li>{@code PtxKernelWriter}: one .entry; every expression evaluated into fresh virtual registers (a value is the
 *       list of its lanes' registers), statements, memory (predicated, vector, global/shared/local), warp operations;</li>
 *   <li>{@code PtxScalarOps}: the instructions of one lane of a unary, binary or cast (C semantics);</li>
 *   <li>{@link kc.codegen.ptx.PtxMath} over {@link kc.codegen.ptx.MathOps}: the accurate f32 math sequences, written
 *       once and run two ways: printed as PTX ({@code PtxOps}) and evaluated in Java by the tests.</li>
 * </ul>
 *
 * <p>Accuracy measured on a real H200 (scripts/ptx_math_gpu.py, 2^20 inputs per function plus every pair of special
 * values, against double-precision Python): no special-value mismatch; worst relative errors exp 1.4e-7, log 1.6e-7,
 * tanh 2.2e-7, sigmoid 1.9e-7, log1p 2.6e-7, expm1 2.5e-7, sin/cos 1e-7 (+1e-7 absolute), atan2 2.1e-7, erf 4.6e-7
 * (+2e-7 absolute), fmod exact, pow 2.5e-6 (worst at a subnormal base, which pow now scales; the Java model of the
 * current pow, with worst-case ex2/lg2 errors, stays under 3.6e-7 everywhere, subnormal bases and results near
 * overflow included).
 *
 * <p>End to end on the same H200 (GpuBundleTest writes shrunk problems' PTX and launch plans, scripts/ptx_plan_gpu.py
 * runs them through the CUDA driver and compares with PyTorch, TF32 off): ReLU, square matmul, Softmax, GELU,
 * InstanceNorm, LayerNorm, MaxPool2d, sum and argmin reductions, conv2d, MinGPT GELU, cumsum and scaled dot-product
 * attention (level 1) all agree at atol=rtol=1e-4 (worst absolute error 8.4e-5, cumsum's long sums); so do Gemm +
 * multiply + LeakyReLU, Matmul + Mish + Mish, Gemm + sigmoid + LogSumExp, Gemm + Swish/divide/clamp/tanh/clamp (level
 * 2), masked cumsum, CrossEntropyLoss and TripletMarginLoss: 20 of 22 tried; the other two failed in the script's
 * handling of shrinking overrides (since fixed, not rerun), not on the GPU.
 */
package kc.codegen.ptx;
