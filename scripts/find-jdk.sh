# Sourced by ./mvnw and ./llm: sets JLLM_JAVA_HOME to a JDK >= 25, or explains why it can't.
# Order: JAVA_HOME if it is >= 25, then the newest JDK >= 25 under /usr/lib/jvm (and a few
# other usual places), then `java` on PATH.
jllm_java_major() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release" v=""
  if [ -f "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel" | head -n 1)
  elif [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}
jllm_find_jdk() {
  local want=25 cand major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(jllm_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then JLLM_JAVA_HOME="$JAVA_HOME"; return 0; fi
  fi
  for cand in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$cand/bin/javac" ] || continue
    major=$(jllm_java_major "$cand")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then best="$cand"; best_major=$major; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(jllm_java_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then best="$cand"; fi
  fi
  if [ -z "$best" ]; then
    echo "jllm: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked under /usr/lib/jvm)." >&2
    echo "jllm: install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    return 1
  fi
  JLLM_JAVA_HOME="$best"
}
