#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs the flagship sample
# topology. Arguments are passed to the sample.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset release "${launcher[@]}"
# Only the sample: the tests and benchmarks are not needed to watch it run.
cmake --build --preset release --target coact-sample-topology

exec build/release/samples/coact-sample-topology "$@"
