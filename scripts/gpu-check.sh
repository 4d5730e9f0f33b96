#!/usr/bin/env bash
# On a GPU host (no JDK needed): the GPU checks of issue 4 with kc's distribution.
#   scripts/gpu-check.sh DIST_TARBALL OUT_DIR [SUITE [SECONDS [STATE_TGZ]]]
# 1. the planted cheats, each caught by its guard (examples/cheats), 2. a sweep over faulting and hanging kernels
# that must go on (examples/faults), 3. --emit cuda and the IPC/file transports on an example, 4. with SUITE:
# kc bench --resume for at most SECONDS, its state (results so far) archived to OUT_DIR/state.tgz so that a later
# call can continue it from STATE_TGZ (device sessions are short; results are kept per problem).
set -uo pipefail
DIST=$1 OUT=$2 SUITE=${3:-} SECONDS_LEFT=${4:-0} STATE=${5:-}
start=$(date +%s)
mkdir -p "$OUT" /tmp/kc-dist /tmp/kc-state/bench /tmp/kc-state/cache
tar xzf "$DIST" -C /tmp/kc-dist
KC=/tmp/kc-dist/kc/bin/kc
# the GPU's measured ceilings are kept with the resumable state, so a later call does not measure them again
CACHE=(--cache-dir /tmp/kc-state/cache)
[ -n "$STATE" ] && [ -f "$STATE" ] && tar xzf "$STATE" -C /tmp/kc-state

if [ ! -f /tmp/kc-state/checks.txt ]; then
    for d in examples/cheats/*/; do
        n=$(basename "$d")
        $KC run examples/cheats/model.py --kernels "$d" "${CACHE[@]}" > "$OUT/cheat-$n.log" 2>&1
        echo "cheat $n (expect $(cat "$d/expect")): $(grep -E '^(PASS|FAIL|ERROR)' "$OUT/cheat-$n.log" | cut -c1-20) | $(grep 'guards:' "$OUT/cheat-$n.log")"
    done | tee -a /tmp/kc-state/checks.txt
    $KC bench --suite examples/faults/suite.txt --timeout 60 --no-baselines -o /tmp/kc-state/faults "${CACHE[@]}" > "$OUT/faults.log" 2>&1
    echo "faults sweep: rc=$? $(grep -cE 'PASS|FAIL|ERROR|TIMEOUT|CRASH' /tmp/kc-state/faults/bench.csv 2>/dev/null) rows" | tee -a /tmp/kc-state/checks.txt
    head -12 /tmp/kc-state/faults/bench.txt 2>/dev/null | tee -a /tmp/kc-state/checks.txt
    for opt in "--emit cuda" "--no-ipc" ""; do
        $KC run examples/conv_block.py $opt --time "${CACHE[@]}" > "$OUT/run.log" 2>&1
        echo "run conv_block $opt: rc=$? $(grep -E 'reference:|^(PASS|FAIL|ERROR)|time:' "$OUT/run.log" | cut -c1-110 | tr '\n' '|')" | tee -a /tmp/kc-state/checks.txt
    done
fi

if [ -n "$SUITE" ]; then
    left=$(( SECONDS_LEFT - ($(date +%s) - start) ))
    [ $left -gt 30 ] && timeout $left $KC bench --suite "$SUITE" -o /tmp/kc-state/bench --resume --jobs 2 --timeout 300 "${CACHE[@]}" \
        > "$OUT/bench.out" 2> "$OUT/bench.err"
    echo "bench rc=$? after $(( $(date +%s) - start )) s; $(ls /tmp/kc-state/bench/runs/*.json 2>/dev/null | wc -l) problems measured"
    tail -3 "$OUT/bench.err"; tail -80 "$OUT/bench.out"
fi
tar czf "$OUT/state.tgz" -C /tmp/kc-state .
