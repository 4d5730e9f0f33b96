#!/usr/bin/env bash
# Builds the Java drop-in check for a GPU host (which has kc's distribution runtime but no compiler):
#   scripts/javacheck/build.sh OUT LIST        (LIST: module files, one per line, relative to the list's folder)
# Writes OUT/classes (every `kc compile --emit java` class with its resources, and JavaClassCheck) and OUT/names.txt
# (NAME=CLASS per problem). On the GPU host, with kc's distribution unpacked in KC and the --emit torch files:
#   python3 scripts/javacheck/dump_reference.py DATA FILE_kc.py...
#   KC/runtime/bin/java -cp "KC/lib/kc.jar:OUT/classes" JavaClassCheck DATA $(cat OUT/names.txt)
set -euo pipefail
OUT=${1:?output folder}; LIST=${2:?suite list}
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"; BASE="$(cd "$(dirname "$LIST")" && pwd)"
mkdir -p "$OUT/src" "$OUT/classes"; : > "$OUT/names.txt"
while read -r line; do
  f=${line%%#*}; f=$(echo $f); [ -z "$f" ] && continue
  name=$(basename "$f" .py)
  case "$f" in /*) ;; *) f="$BASE/$f";; esac
  "$ROOT/kc" compile "$f" --emit java -o "$OUT/src/$name" > /dev/null
  cls=$(ls "$OUT/src/$name/kc/models/"*.java | head -1 | xargs basename | sed 's/\.java$//')
  cp -r "$OUT/src/$name/." "$OUT/classes/"
  echo "$name=kc.models.$cls" >> "$OUT/names.txt"
done < "$LIST"
. "$ROOT/scripts/jdk.sh"; kc_find_jdk || exit 3 # a JDK >= 21: kc's jar is Java 21 bytecode
CP="$ROOT/cli/target/kc.jar"
"$KC_JAVA_HOME/bin/javac" -d "$OUT/classes" -cp "$CP" $(find "$OUT/classes" -name '*.java') "$ROOT/scripts/javacheck/JavaClassCheck.java"
find "$OUT/classes" -name '*.java' -delete
echo "$(wc -l < "$OUT/names.txt") classes in $OUT/classes"
