#!/usr/bin/env bash
# Side-by-side speed of jllm and llama.cpp on the same GGUF files, same threads, one run:
# writes the table and chart into docs/performance.md (docs/performance-side-by-side.svg) and
# the raw results into out/side-by-side.json.
#
#   scripts/bench-side-by-side.sh [-t 2] [-r 3] [-p 512] [-n 128] [--timeout 1200] [MODEL.gguf ...]
#
# Without MODEL: TinyLlama-1.1B-shaped models in Q4_0, Q8_0, Q4_K_M and F16 under out/
# (git-ignored), synthesized with `llm synth` (real Llama-2 vocabulary from ../shared) when missing.
# llama.cpp runs through node-llama-cpp 3.22.1 (llm-bench/node; `npm ci` there on first use).
# --timeout bounds each engine's run on each model (seconds; then reported as n/a).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
jllm_find_jdk || exit 1

opts=()
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t|-r|-p|-n|--timeout) opts+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "bench-side-by-side: unknown option $1" >&2; exit 1 ;;
    *) models+=("$1"); shift ;;
  esac
done

command -v node >/dev/null || { echo "bench-side-by-side: node (v18+) is needed for the llama.cpp side" >&2; exit 1; }
if [ ! -d "$root/llm-bench/node/node_modules/node-llama-cpp" ]; then
  echo "bench-side-by-side: installing node-llama-cpp 3.22.1 (npm ci in llm-bench/node)..." >&2
  (cd "$root/llm-bench/node" && npm ci --no-audit --no-fund >&2)
fi

if [ ${#models[@]} -eq 0 ]; then
  vocab="$root/../shared/testdata/vocab/ggml-vocab-llama-spm.gguf"
  vocab_opt=()
  [ -f "$vocab" ] && vocab_opt=(--vocab "$vocab")
  mkdir -p "$root/out"
  for type in q4_0 q8_0 q4_k_m f16; do
    f="$root/out/tinyllama-1.1b.$type.gguf"
    if [ ! -f "$f" ]; then
      echo "bench-side-by-side: synthesizing $f" >&2
      "$root/llm" synth --preset tinyllama-1.1b --type "$type" "${vocab_opt[@]}" --seed 1 "$f" >&2
    fi
    models+=("$f")
  done
fi

# build the jllm launcher once up front so its build does not land inside a measurement
"$root/llm" --help >/dev/null

exec "$JLLM_JAVA_HOME/bin/java" -Djllm.home="$root" \
  "$root/llm-bench/src/main/java/io/jllm/bench/sidebyside/SideBySide.java" "${opts[@]}" "${models[@]}"
