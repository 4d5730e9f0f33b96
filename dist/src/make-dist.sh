#!/usr/bin/env bash
# Builds kc's self-contained distribution: TARGET/kc-VERSION-linux-x86_64.tar.gz holding
#   kc/bin/kc        the launcher (bash), running kc/lib/kc.jar on kc/runtime
#   kc/lib/kc.jar    the shaded CLI jar, and JCuda's JNI libraries taken out of it
#   kc/runtime/      a Java runtime made by jlink from JDK_HOME, with only the modules kc.jar needs
#   kc/README.md
# Usage: make-dist.sh JDK_HOME KC_JAR VERSION TARGET   (run by dist/pom.xml in the "dist" profile)
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 JDK_HOME KC_JAR VERSION TARGET" >&2; exit 2; }
JDK="$1" JAR="$2" VERSION="$3" TARGET="$4"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -x "$JDK/bin/jlink" ] || { echo "make-dist: no jlink in $JDK (a JDK >= 21 is needed, not a JRE)" >&2; exit 3; }
# Maven may run on an older default JDK; its runtime would not even start kc (class files for Java 21).
feature=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${feature:-0}" -ge 21 ] 2>/dev/null || { echo "make-dist: $JDK is Java ${feature:-?}; build with a JDK >= 21 (JAVA_HOME)" >&2; exit 3; }
[ -f "$JAR" ] || { echo "make-dist: $JAR is missing (build cli first)" >&2; exit 3; }
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x86_64 ;;
    *) echo "make-dist: the distribution is built for linux-x86_64 only (JCuda natives, jlinked runtime)" >&2; exit 3 ;;
esac

STAGE="$TARGET/dist-stage"
rm -rf "$STAGE" && mkdir -p "$STAGE/kc/bin" "$STAGE/kc/lib"

# The modules kc.jar uses as jdeps sees them, plus jdk.unsupported (sun.misc.Unsafe, which libraries probe for
# reflectively where jdeps cannot see it).
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JDK/release")
modules=$("$JDK/bin/jdeps" --ignore-missing-deps --multi-release "$feature" --print-module-deps "$JAR")
modules="$modules,java.base,java.logging,jdk.unsupported"
modules=$(tr ',' '\n' <<<"$modules" | sort -u | paste -sd, -)

# No --compress: jlink's zip compression makes the gzipped tarball larger (measured 30 MB against 27 MB), and
# classes start faster uncompressed. The default CDS archive (--generate-cds-archive) is the base that the
# launcher's per-user dynamic archive of kc's own classes builds on.
"$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --generate-cds-archive --output "$STAGE/kc/runtime" >/dev/null
# The archive for heaps over 32 GB without compressed oops: kc never sets one (the JVM's own default heap keeps
# compressed oops), and without it the JVM would only start without CDS.
rm -f "$STAGE/kc/runtime/lib/server/classes_nocoops.jsa"

cp "$JAR" "$STAGE/kc/lib/kc.jar"
# JCuda's JNI libraries beside the jar too: the launcher points java.library.path here, so JCuda loads them in
# place instead of extracting copies to a fixed name in /tmp on every run (shared by all users of the host).
(cd "$STAGE/kc/lib" && "$JDK/bin/jar" xf kc.jar lib && mv lib/*.so . && rmdir lib)
install -m 755 "$SRC/kc" "$STAGE/kc/bin/kc"
sed "s/@VERSION@/$VERSION/g; s/@MODULES@/$modules/g" "$SRC/README.md" >"$STAGE/kc/README.md"

out="$TARGET/kc-$VERSION-$platform.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$STAGE" -czf "$out.tmp" kc
mv "$out.tmp" "$out"
rm -rf "$STAGE"
echo "make-dist: $out ($(du -k "$out" | cut -f1) KiB; runtime modules: $modules)"
