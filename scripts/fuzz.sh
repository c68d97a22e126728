#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan, UBSan) and fuzzes what a TCP peer
# can send, net/fuzz/frame_fuzzer.cpp, for SECONDS (default 60).
#
#   scripts/fuzz.sh [SECONDS]
#
# The fuzzer starts from a copy of net/fuzz/corpus in build/fuzz/corpus/frame, which keeps
# what it finds between runs. Exits non-zero if setup or the build fails, or if the fuzzer
# finds a crash, a leak, undefined behaviour or an input that takes over 10 s; that input
# is left in build/fuzz/findings/frame/ (rerun it: build/fuzz/net/fuzz/coact-frame-fuzzer FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0"
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

corpus=build/fuzz/corpus/frame
findings=build/fuzz/findings/frame
mkdir -p "$corpus" "$findings"
cp net/fuzz/corpus/* "$corpus/"
# libFuzzer exits 0 when the time is up with nothing found, non-zero on a finding.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  build/fuzz/net/fuzz/coact-frame-fuzzer -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus"
