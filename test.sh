#!/usr/bin/env bash
# Runs kc's tests: the unit tests, then the KernelBench sweeps over ../shared/kernelbench (skipped with a
# message when that folder is absent). Needs only a JDK >= 21 (found by itself) and Maven.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
. "$ROOT/scripts/jdk.sh"
kc_find_jdk || exit 3
cd "$ROOT"
export JAVA_HOME="$KC_JAVA_HOME"
mvn -B -q verify "$@"
mvn -B -q -Psweep verify "$@"
