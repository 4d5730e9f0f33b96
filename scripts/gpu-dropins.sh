#!/usr/bin/env bash
# One device call checking kc's drop-in outputs (issue 13) on a GPU host without a compiler:
#   scripts/gpu-dropins.sh KIT        (run from the repository root on the GPU host; $OUT collects the results)
# KIT holds kc-dist.tar.gz, torch/*_kc.py (kc compile --emit torch) and javacheck/ (scripts/javacheck/build.sh).
# 1. scripts/modelnew_harness.py on every torch/*_kc.py: Model against ModelNew, 5 trials at 1e-4, both timed.
# 2. Per problem: dump_reference.py writes its weights, inputs and outputs, JavaClassCheck runs the Java class on
#    them, and the data is deleted again (some problems' tensors are gigabytes).
# Environment: PY (a Python with torch; default python3), SKIP_TORCH=1, SKIP_JAVA=1.
set -uo pipefail
KIT=${1:?kit folder}; PY=${PY:-python3}
mkdir -p /tmp/kc-dist "$OUT"
tar xzf "$KIT/kc-dist.tar.gz" -C /tmp/kc-dist
if [ -z "${SKIP_TORCH:-}" ]; then
  "$PY" scripts/modelnew_harness.py --trials 5 --timing-trials 20 --out "$OUT/modelnew.tsv" "$KIT"/torch/*_kc.py \
      2> "$OUT/modelnew.err" | tail -3
fi
if [ -z "${SKIP_JAVA:-}" ] && [ -f "$KIT/javacheck/names.txt" ]; then
  : > "$OUT/javacheck.txt"
  while IFS= read -r pair; do
    name=${pair%%=*}
    rm -rf /tmp/kc-javadata
    "$PY" scripts/javacheck/dump_reference.py /tmp/kc-javadata "$KIT/torch/${name}_kc.py" > /dev/null 2>> "$OUT/javacheck.err"
    /tmp/kc-dist/kc/runtime/bin/java -cp "/tmp/kc-dist/kc/lib/kc.jar:$KIT/javacheck/classes" JavaClassCheck /tmp/kc-javadata "$pair" \
        2>> "$OUT/javacheck.err" | head -1 >> "$OUT/javacheck.txt"
  done < "$KIT/javacheck/names.txt"
  rm -rf /tmp/kc-javadata
  echo "java: $(grep -c ' PASS' "$OUT/javacheck.txt") pass, $(grep -c ' SKIPPED' "$OUT/javacheck.txt") skipped, of $(wc -l < "$OUT/javacheck.txt")"
fi
