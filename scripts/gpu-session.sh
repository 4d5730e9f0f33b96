#!/usr/bin/env bash
# One device call of a development session (a GPU host without Java, see MEASURING.md): kc's distribution measures
# the example schedules against the defaults, then a resumable kc bench of a suite, within a time limit.
#   scripts/gpu-session.sh KIT SECONDS      (run from the repository root on the GPU host; $OUT collects the results)
# KIT is a folder carried to the host: kc-dist.tar.gz (mvn -Pdist package), kernelbench/ (a copy of
# ../shared/kernelbench with the suite files), optionally state.tgz (an earlier call's), seed-baselines.json
# ({slug: baseline.json} from an earlier bench.json on the same kind of GPU) and sched/EXAMPLE--LABEL.sched (variants
# of examples/EXAMPLE.py's schedule).
# Environment: SUITE (a list under KIT/kernelbench), JOBS (default 2), SKIP_SCHED=1, RERUN_FAILED=1, NO_SEED=1,
# NO_BASELINES=1 (verify and time kc only), RERUN_LIST (a list under KIT/kernelbench whose kc results are redone).
# $OUT gets at most six files (the device tool returns few): schedules.txt, bench.txt, bench.json, state.tgz, logs.tgz.
set -uo pipefail
KIT=${1:?kit folder}; LIMIT=${2:-520}; start=$(date +%s)
left() { echo $(( LIMIT - ($(date +%s) - start) )); }
mkdir -p /tmp/kc-dist /tmp/kc-state/bench /tmp/kc-state/cache /tmp/kc-logs "$OUT"
tar xzf "$KIT/kc-dist.tar.gz" -C /tmp/kc-dist
[ -f "$KIT/state.tgz" ] && tar xzf "$KIT/state.tgz" -C /tmp/kc-state
KC=/tmp/kc-dist/kc/bin/kc; CACHE=(--cache-dir /tmp/kc-state/cache)
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
if [ -z "${NO_SEED:-}" ] && [ -f "$KIT/seed-baselines.json" ] && [ ! -d /tmp/kc-state/bench/baselines ]; then
  python3 - "$KIT/seed-baselines.json" <<'PY'
import json, os, sys
for slug, b in json.load(open(sys.argv[1])).items():
    d = os.path.join("/tmp/kc-state/bench/baselines", slug); os.makedirs(d, exist_ok=True)
    json.dump(b, open(os.path.join(d, "baseline.json"), "w"))
PY
fi
if [ -n "${RERUN_FAILED:-}" ]; then
  for f in /tmp/kc-state/bench/runs/*.json; do [ -f "$f" ] && ! grep -q '"verdict": *"PASS"' "$f" && rm -f "$f" "${f%.json}.time.json"; done
fi
if [ -n "${RERUN_LIST:-}" ]; then
  while read -r p; do s=${p%.py}; s=${s//\//_}; rm -f "/tmp/kc-state/bench/runs/$s.json" "/tmp/kc-state/bench/runs/$s.time.json"; done < "$KIT/kernelbench/$RERUN_LIST"
fi
if [ -z "${SKIP_SCHED:-}" ] && [ ! -f /tmp/kc-state/schedules.txt ]; then
  run1() { # label, kc run arguments
    local label=$1; shift
    timeout 120 $KC run "$@" --time "${CACHE[@]}" > /tmp/r.log 2>&1
    echo "$label rc=$? $(grep -E '^(PASS|FAIL|ERROR)|time' /tmp/r.log | cut -c1-140 | tr '\n' '|')" | tee -a /tmp/kc-state/schedules.txt
    cp /tmp/r.log "/tmp/kc-logs/sched-${label//[^A-Za-z0-9_.-]/_}.log"
  }
  for ex in row_softmax conv_block tiny_gpt_block mlp_block conv_stem long_k_projection; do
    run1 "$ex:default" examples/$ex.py
    run1 "$ex:expert" examples/$ex.py --schedule examples/schedules/$ex.schedule
  done
  for s in "$KIT"/sched/*--*.sched; do # EXAMPLE--LABEL.sched: a variant schedule for examples/EXAMPLE.py
    [ -f "$s" ] || continue
    b=$(basename "$s" .sched); run1 "${b%%--*}:${b#*--}" "examples/${b%%--*}.py" --schedule "$s"
  done
fi
[ -f /tmp/kc-state/schedules.txt ] && cp /tmp/kc-state/schedules.txt "$OUT/"
if [ -n "${SUITE:-}" ] && [ "$(left)" -gt 60 ]; then
  timeout $(( $(left) - 25 )) $KC bench --suite "$KIT/kernelbench/$SUITE" -o /tmp/kc-state/bench --resume --jobs "${JOBS:-2}" ${NO_BASELINES:+--no-baselines} \
      --timeout 120 --timing-budget 3 "${CACHE[@]}" > /tmp/kc-logs/bench.out 2> /tmp/kc-logs/bench.err
  echo "bench rc=$? after $(( $(date +%s) - start )) s; $(ls /tmp/kc-state/bench/runs/*.json 2>/dev/null | wc -l) kc results"
  tail -3 /tmp/kc-logs/bench.err
  [ -f /tmp/kc-state/bench/bench.txt ] || $KC bench --suite "$KIT/kernelbench/$SUITE" -o /tmp/kc-state/bench --report-only > /dev/null 2>&1
  cp /tmp/kc-state/bench/bench.txt /tmp/kc-state/bench/bench.json "$OUT/" 2>/dev/null
  tail -60 "$OUT/bench.txt" 2>/dev/null
fi
nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader | head -5
tar czf "$OUT/state.tgz" -C /tmp/kc-state .
tar czf "$OUT/logs.tgz" -C /tmp/kc-logs .
echo "total $(( $(date +%s) - start )) s"
