#!/usr/bin/env bash
# Builds the self-contained distribution (mvn -Pdist package), unpacks it in a temporary directory and runs it
# with a PATH that holds no java and no JAVA_HOME: kc --version, and kc compile of an example to PTX.
# Run by .ci/run; about half a minute.
set -euo pipefail
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
    echo "dist-smoke: skipped: the distribution is built for linux-x86_64 only" >&2
    exit 0
fi
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
kc_find_jdk || exit 3
cd "$ROOT"
opts="${MAVEN_OPTS:-}"
[ "$(kc_jdk_version "$KC_JAVA_HOME")" -ge 24 ] && opts="$opts --sun-misc-unsafe-memory-access=allow"
MAVEN_OPTS="$opts" JAVA_HOME="$KC_JAVA_HOME" mvn -B -q -Dstyle.color=never -Pdist -DskipTests package

fail() { echo "dist-smoke: FAIL: $*" >&2; exit 1; }
tarball=$(ls -t dist/target/kc-*-linux-x86_64.tar.gz | head -1)
kib=$(du -k "$tarball" | cut -f1)
[ "$kib" -lt 40960 ] || fail "$tarball is $kib KiB, over 40 MiB"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
[ -x "$tmp/kc/bin/kc" ] && [ -f "$tmp/kc/lib/kc.jar" ] && [ -x "$tmp/kc/runtime/bin/java" ] || fail "layout"

# kc.jar carries JCuda's driver-API and NVRTC natives, not the runtime-API nor the 24 MB PTX-compiler ones.
listing=$("$KC_JAVA_HOME/bin/jar" tf "$tmp/kc/lib/kc.jar")
grep -q '^lib/libJCudaDriver-.*-linux-x86_64\.so$' <<<"$listing" || fail "libJCudaDriver missing from kc.jar"
grep -q '^lib/libJNvrtc-.*-linux-x86_64\.so$' <<<"$listing" || fail "libJNvrtc missing from kc.jar"
! grep -q '^lib/libJNvPTXCompiler-\|^lib/libJCudaRuntime-' <<<"$listing" || fail "unused JCuda natives in kc.jar"
ls "$tmp"/kc/lib/libJCudaDriver-*.so "$tmp"/kc/lib/libJNvrtc-*.so >/dev/null || fail "JCuda natives missing from kc/lib"

# A PATH with only the tools the launcher uses, so a java found anywhere else would make this fail.
mkdir "$tmp/path"
for tool in bash dirname readlink cksum cut mkdir; do ln -s "$(command -v "$tool")" "$tmp/path/$tool"; done
run() { env -i PATH="$tmp/path" HOME="$tmp/home" "$tmp/kc/bin/kc" "$@"; }
version=$(run --version) || fail "kc --version"
[[ "$version" == "kc "*" (Java "* ]] || fail "kc --version printed: $version"
run compile "$ROOT/examples/conv_block.py" --emit ptx --no-ptxas -o "$tmp/out" >/dev/null || fail "kc compile"
[ -s "$tmp/out/plan.json" ] && [ -s "$tmp/out/conv_block.ptx" ] || fail "kc compile wrote no plan.json or PTX"
echo "dist-smoke: ok: $tarball ($kib KiB), $version"
