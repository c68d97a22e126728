#!/usr/bin/env bash
# Runs every simulator suite of the dev build (ctest labels actors, check, policies and
# workload) on one block of seeds: COACT_SIM_SEEDS=FIRST:COUNT replaces each simulator
# test's own seeds.
#
#   scripts/seeds.sh FIRST:COUNT     the COUNT seeds from FIRST, e.g. 5000:100
#   scripts/seeds.sh --random COUNT  COUNT fresh seeds from a random FIRST, printed
#
# Needs the dev build (scripts/test.sh makes it). A failing test prints its seed and the
# command that replays it alone (COACT_SIM_SEED=N). Exits non-zero if a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0"
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --random)
    count=${2:-}
    if [[ ! $count =~ ^[1-9][0-9]*$ ]]; then
      echo "seeds.sh: --random takes a COUNT of seeds, not '$count'" >&2; usage >&2; exit 2
    fi
    # Far above every test's fixed seeds, so that the block is fresh.
    first=$((1000000 + $(od -An -N4 -tu4 /dev/urandom)))
    block=$first:$count ;;
  *:*) block=$1 ;;
  *) usage >&2; exit 2 ;;
esac

if [[ ! -d build/dev ]]; then
  echo "seeds.sh: no dev build in build/dev: run scripts/test.sh first" >&2
  exit 2
fi
echo "seeds.sh: seeds $block; to replay this block: scripts/seeds.sh $block"
COACT_SIM_SEEDS=$block ctest --test-dir build/dev -L 'actors|check|policies|workload' \
  --output-on-failure -j 2
