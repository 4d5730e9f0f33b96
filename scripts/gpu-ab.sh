#!/usr/bin/env bash
# On the GPU host: times every variant scripts/ab-kit.sh compiled, profiles the defaults with ncu, and runs
# compute-sanitizer's memcheck and racecheck on the small tiled matmul. Nothing here verifies results: kc run does.
#   scripts/gpu-ab.sh KIT          ($OUT gets ab.txt and ncu.txt)
set -uo pipefail
KIT=${1:?kit folder}
PY=$(ls /opt/torch/.venv/bin/python3 2>/dev/null || echo python3)
variants=$(ls -d "$KIT"/ab/*/ | grep -v sanitize_mm)
$PY scripts/plan_timer.py --trials 30 $variants > "$OUT/ab.txt" 2>&1; cut -c1-110 "$OUT/ab.txt"
for v in mm_default mm_s1 avg_default max_default sum_default; do
  timeout 90 ncu -k regex:k0_ --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy \
      --section WarpStateStats --section LaunchStats --section ComputeWorkloadAnalysis --section SchedulerStats \
      $PY scripts/plan_timer.py --trials 1 "$KIT/ab/$v" >> "$OUT/ncu.txt" 2>&1
done
grep -h "k0_\|Duration\|Memory Throughput\|Compute (SM) Throughput\|Achieved Occupancy\|Registers Per" "$OUT/ncu.txt" | head -40
for tool in memcheck racecheck; do
  timeout 120 compute-sanitizer --tool $tool $PY scripts/plan_timer.py --trials 1 "$KIT/ab/sanitize_mm" 2>&1 | grep -E "SUMMARY|rror" | head -3
done
