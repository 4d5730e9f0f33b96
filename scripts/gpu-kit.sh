#!/usr/bin/env bash
# Builds the kit a development session carries to the GPU host (which has PyTorch but no Java and no compiler):
#   scripts/gpu-kit.sh [KIT]        (default .gpu; ignored by git; carried with run's carry [".gpu"])
# KIT/kc-dist.tar.gz      kc's distribution with its own Java runtime (mvn -Pdist package)
# KIT/kernelbench/        ../shared/kernelbench with suite lists: all220, rest180 (all but the core set), core_set,
#                         membound (the core set's memory-bound level-1 problems)
# KIT/packed/torch.tgz    `kc compile --emit torch` of the core set (unpack into KIT on the host for gpu-dropins.sh)
# KIT/packed/javacheck.tgz scripts/javacheck/build.sh of the core set (likewise)
# A state.tgz from an earlier call (gpu-session.sh's) in KIT is kept. About two minutes here; 40 MB.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KIT=$(readlink -f "${1:-$ROOT/.gpu}"); SHARED="$ROOT/../shared/kernelbench"
[ -d "$SHARED" ] || { echo "gpu-kit: no $SHARED" >&2; exit 2; }
. "$ROOT/scripts/jdk.sh"; kc_find_jdk || exit 3
cd "$ROOT"
opts="${MAVEN_OPTS:-}"
[ "$(kc_jdk_version "$KC_JAVA_HOME")" -ge 24 ] && opts="$opts --sun-misc-unsafe-memory-access=allow"
MAVEN_OPTS="$opts" JAVA_HOME="$KC_JAVA_HOME" mvn -B -q -Dstyle.color=never -Pdist -DskipTests package
mkdir -p "$KIT/kernelbench" "$KIT/packed"
cp "$(ls -t dist/target/kc-*-linux-x86_64.tar.gz | head -1)" "$KIT/kc-dist.tar.gz"
rm -rf "$KIT/kernelbench/level"*
cp -r "$SHARED"/level* "$SHARED/core_set.txt" "$KIT/kernelbench/"
(cd "$KIT/kernelbench" && ls level1/*.py level2/*.py level3/*.py > all220.txt \
  && grep -vxF -f core_set.txt all220.txt > rest180.txt \
  && grep -E '^level1/(4|5|12|19|23|26|33|40|42|44|47|89|94)_' core_set.txt > membound.txt)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/torch"
while read -r f; do
  n=$(basename "$f" .py)
  "$ROOT/kc" compile "$SHARED/$f" --emit torch -o "$work/torch/${n}_kc.py" > /dev/null
done < "$SHARED/core_set.txt"
bash "$ROOT/scripts/javacheck/build.sh" "$work/javacheck" "$SHARED/core_set.txt" > /dev/null
tar czf "$KIT/packed/torch.tgz" -C "$work" torch
tar czf "$KIT/packed/javacheck.tgz" -C "$work" javacheck
echo "gpu-kit: $KIT ($(du -sh "$KIT" | cut -f1)): $(wc -l < "$KIT/kernelbench/all220.txt") problems, $(ls "$work/torch" | wc -l) ModelNew files"
