#!/usr/bin/env bash
# Regenerates runtime/src/main/resources/kc/runtime/gpu/kc_runtime_kernels.ptx from its .cu source with nvcc.
# The PTX targets compute_80 (the driver JIT-compiles it for newer GPUs) and declares ISA 8.5 so that CUDA 12.x
# drivers load it too (nvcc 13 writes 9.0 by default but uses nothing newer for these kernels; ptxas checks it).
set -euo pipefail
DIR="$(cd "$(dirname "$0")/.." && pwd)/runtime/src/main/resources/kc/runtime/gpu"
nvcc -ptx -arch=compute_80 -O3 -o - "$DIR/kc_runtime_kernels.cu" \
    | sed -e 's/^\.version .*/.version 8.5/' -e '/^\/\/ Compiler Build ID/d' -e '/^\/\/ Cuda compilation tools/d' -e '/^\/\/ Based on NVVM/d' \
    > "$DIR/kc_runtime_kernels.ptx"
ptxas -arch=sm_90 -o /dev/null "$DIR/kc_runtime_kernels.ptx"
ptxas -arch=sm_80 -o /dev/null "$DIR/kc_runtime_kernels.ptx"
