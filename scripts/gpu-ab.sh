#!/usr/bin/env bash
# On the GPU host: times every variant scripts/ab-kit.sh compiled, profiles the defaults with ncu, and runs
# compute-sanitizer's memcheck and racecheck on the small tiled matmul. Nothing here verifies results: kc run does.
#   scripts/gpu-ab.sh KIT          ($OUT gets ab.txt and ncu.txt)
set -uo pipefail
KIT=${1:?kit folder}
PY=$(ls /opt/torch/.venv/bin/python3 2>/dev/null || echo python3)
variants=$(ls -d "$KIT"/ab/*/ | grep -v sanitize_mm)
$PY scripts/plan_timer.py --trials 30 $variants > "$OUT/ab.txt" 2>&1; cut -c1-110 "$OUT/ab.txt"
# PyTorch's own times for the matmul variants (cuBLAS in fp32, TF32 and bf16), timed the same way
$PY - <<'PY' 2>&1 | tee -a "$OUT/ab.txt"
import torch
def t(f, n=30):
    flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda"); times = []
    for i in range(n + 3):
        flush.zero_(); a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); f(); b.record(); torch.cuda.synchronize()
        if i >= 3: times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]
x, y = torch.randn(4096, 4096, device="cuda"), torch.randn(4096, 4096, device="cuda")
torch.backends.cuda.matmul.allow_tf32 = False
print("torch mm 4096 fp32  %.4f ms" % t(lambda: x @ y))
torch.backends.cuda.matmul.allow_tf32 = True
print("torch mm 4096 tf32  %.4f ms" % t(lambda: x @ y))
torch.backends.cuda.matmul.allow_tf32 = False
xb, yb = x.bfloat16(), y.bfloat16()
print("torch mm 4096 bf16  %.4f ms (bf16 tensors)" % t(lambda: xb @ yb))
p, q = torch.randn(256, 524288, device="cuda"), torch.randn(524288, 256, device="cuda")
print("torch mm large-K fp32 %.4f ms" % t(lambda: p @ q))
PY
for v in mm_default mm_s1 avg_default max_default sum_default; do
  timeout 90 ncu -k regex:k0_ --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy \
      --section WarpStateStats --section LaunchStats --section ComputeWorkloadAnalysis --section SchedulerStats \
      $PY scripts/plan_timer.py --trials 1 "$KIT/ab/$v" >> "$OUT/ncu.txt" 2>&1
done
grep -h "k0_\|Duration\|Memory Throughput\|Compute (SM) Throughput\|Achieved Occupancy\|Registers Per" "$OUT/ncu.txt" | head -40
for tool in memcheck racecheck; do
  timeout 120 compute-sanitizer --tool $tool $PY scripts/plan_timer.py --trials 1 "$KIT/ab/sanitize_mm" 2>&1 | grep -E "SUMMARY|rror" | head -3
done
