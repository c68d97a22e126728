#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan, UBSan) and runs each for SECONDS
# (default 60): what a TCP peer can send (frame, net/fuzz/frame_fuzzer.cpp), then the files
# `coact check` reads (history, check/fuzz/history_fuzzer.cpp).
#
#   scripts/fuzz.sh [SECONDS]
#
# Each fuzzer starts from a copy of its seeds (net/fuzz/corpus, check/fuzz/corpus) in
# build/fuzz/corpus/NAME, which keeps what it finds between runs. Exits non-zero if setup or
# the build fails, or at the first fuzzer that finds a crash, a leak, undefined behaviour or
# an input that takes over 10 s; that input is left in build/fuzz/findings/NAME/ (rerun it:
# build/fuzz/net/fuzz/coact-frame-fuzzer FILE, build/fuzz/check/fuzz/coact-history-fuzzer FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "$0"
}

seconds=60
case "${1:-}" in
  "") ;;
  -h|--help) usage; exit 0 ;;
  *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, not '$1'" >&2; usage >&2; exit 2 ;;
  *) seconds=$1 ;;
esac

bash scripts/setup.sh

source scripts/ccache.sh
cmake --preset fuzz "${ccache_args[@]}"
cmake --build --preset fuzz

# fuzz NAME BINARY SEEDS: runs one fuzzer for $seconds from its corpus.
fuzz() {
  local corpus=build/fuzz/corpus/$1 findings=build/fuzz/findings/$1
  mkdir -p "$corpus" "$findings"
  cp "$3"/* "$corpus/"
  # libFuzzer exits 0 when the time is up with nothing found, non-zero on a finding.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$2" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus"
}

fuzz frame build/fuzz/net/fuzz/coact-frame-fuzzer net/fuzz/corpus
fuzz history build/fuzz/check/fuzz/coact-history-fuzzer check/fuzz/corpus
