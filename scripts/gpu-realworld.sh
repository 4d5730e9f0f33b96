#!/usr/bin/env bash
# kc run on the real-world corpus (issue 14) on a GPU host:
#   scripts/gpu-realworld.sh KIT     (KIT holds kc-dist.tar.gz and realworld/, a copy of ../shared/realworld)
# Each case of realworld/cases.tsv: kc run with its entry, inputs and path (einops for PyTorch from _pydeps), --time.
set -uo pipefail
KIT=${1:?kit folder}
mkdir -p /tmp/kc-dist "$OUT"
tar xzf "$KIT/kc-dist.tar.gz" -C /tmp/kc-dist
RW="$KIT/realworld"
tail -n +2 "$RW/cases.tsv" | while IFS=$'\t' read -r name file path entry inputs; do
  [ -z "$name" ] && continue
  extra=(); [ "$path" != "-" ] && extra=(--path "$RW/$path")
  timeout 300 /tmp/kc-dist/kc/bin/kc run "$RW/$file" --entry "$entry" --inputs "$inputs" --path "$RW/_pydeps" "${extra[@]}" \
      --time --cache-dir /tmp/kc-cache > "$OUT/realworld-$name.log" 2>&1
  echo "$name rc=$? $(grep -E '^(PASS|FAIL|ERROR)|time:' "$OUT/realworld-$name.log" | cut -c1-150 | tr '\n' '|')"
done | tee "$OUT/realworld.txt"
