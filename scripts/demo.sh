#!/usr/bin/env bash
# Installs what is missing, builds the release preset's demo and tools, and runs the
# flagship demo: one workload against every consistency policy and level on the same
# topologies, in the simulator and over loopback TCP, ending with the comparison table
# (coact-pattern-bench).
# Without arguments it runs 3 replica nodes in one and in two datacenters and writes a
# plot and a JSON file under build/release/; arguments replace those defaults
# (`scripts/demo.sh --help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

source scripts/ccache.sh
cmake --preset release "${ccache_args[@]}"
# The benchmark, and the programs README.md runs from build/release after this script
# (coact, coact-node and samples/cluster/run.sh, coact-sample-topology); the tests and the
# other benchmarks are not needed.
cmake --build --preset release --target coact-pattern-bench coact coact-node \
  coact-sample-topology

if [[ $# -eq 0 ]]; then
  set -- --nodes 3 --dcs 1,2 --svg build/release/pattern-bench.svg \
    --json build/release/pattern-bench.json
fi
exec build/release/bench/coact-pattern-bench "$@"
