#!/usr/bin/env bash
# Runs kc's tests: the unit tests, then the KernelBench sweeps over ../shared/kernelbench (skipped with a
# message when that folder is absent). Needs only a JDK >= 21 (found by itself) and Maven.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
. "$ROOT/scripts/jdk.sh"
kc_find_jdk || exit 3
cd "$ROOT"
export JAVA_HOME="$KC_JAVA_HOME"
# Maven itself warns about sun.misc.Unsafe on JDK 24+; keep the test output about kc.
[ "$(kc_jdk_version "$KC_JAVA_HOME")" -ge 24 ] && export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn -B -q verify "$@"
mvn -B -q -Psweep verify "$@"
