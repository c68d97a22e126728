#!/usr/bin/env bash
# Installs what is missing, builds and runs the test suite.
#
#   scripts/test.sh                               preset dev: Debug, -Werror, every test
#   scripts/test.sh --sanitize address,undefined  preset asan: the suites under ASan+UBSan (no consumer builds)
#   scripts/test.sh --sanitize thread             preset tsan: the suites that run threads, under TSan
#
# Exits non-zero if setup, the build or any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,8s/^# \{0,1\}//p' "$0"
}

preset=dev
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) sanitize="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --sanitize=*) sanitize="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "test.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  case "$sanitize" in
    address,undefined|undefined,address) preset=asan ;;
    thread) preset=tsan ;;
    *) echo "test.sh: --sanitize takes address,undefined or thread, not '$sanitize'" >&2
       exit 2 ;;
  esac
done

bash scripts/setup.sh

source scripts/ccache.sh
cmake --preset "$preset" "${ccache_args[@]}"
cmake --build --preset "$preset"
# The preset sets the parallelism, output on failure, sanitizer options and, for tsan,
# the filter to every suite but the samples and the consumer builds.
ctest --preset "$preset"
