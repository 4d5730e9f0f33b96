# Sourced by ./kc and ./test.sh: sets KC_JAVA_HOME to a JDK >= 21 without starting a JVM.
# Order: $JAVA_HOME, then the newest JDK installed in the usual places, then the `java` on PATH.
kc_jdk_version() { # prints the feature version of the JDK at $1, or nothing
    local release="$1/release" v=""
    [ -x "$1/bin/java" ] || return 0
    if [ -f "$release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
        [ "$v" = "1" ] && v=8
    fi
    echo "$v"
}

kc_find_jdk() {
    local best="" best_v=0 home v
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(kc_jdk_version "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then KC_JAVA_HOME="$JAVA_HOME"; return 0; fi
    fi
    for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/jdk* /usr/java/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        [ -d "$home" ] && [ ! -L "$home" ] || continue
        v=$(kc_jdk_version "$home")
        if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
    done
    if [ -z "$best" ] && command -v java >/dev/null 2>&1; then
        home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
        v=$(kc_jdk_version "$home")
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then best="$home"; fi
    fi
    if [ -z "$best" ]; then
        echo "kc: no JDK 21 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
        return 3
    fi
    KC_JAVA_HOME="$best"
}
