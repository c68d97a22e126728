#!/usr/bin/env bash
# A 3-node topology as 3 coact-node processes on 127.0.0.1: nodes a and b each hold a
# kv_store, node c a client that runs a workload of puts and gets across both stores (and
# its own). Prints the client's report and exits 0 when it saw no errors.
#
#   samples/cluster/run.sh [--base-port N] [--bin DIR]   (default: 7101, build/release/tools)
set -euo pipefail
cd "$(dirname "$0")/../.."

base_port=7101
bin=build/release/tools
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-port) base_port="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [[ ! -x $bin/coact-node ]]; then
  echo "run.sh: $bin/coact-node is not built: cmake --build --preset release --target coact-node" >&2
  exit 2
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The cluster's secret: made here, never on a command line.
head -c 32 /dev/urandom | base64 > "$work/cluster.secret"
cat > "$work/cluster.toml" <<TOML
cluster = "sample"
secret_file = "cluster.secret"
[[node]]
name = "a"
address = "127.0.0.1:$base_port"
actors = [ { kind = "kv_store", name = "store" } ]
[[node]]
name = "b"
address = "127.0.0.1:$((base_port + 1))"
actors = [ { kind = "kv_store", name = "store" } ]
[[node]]
name = "c"
address = "127.0.0.1:$((base_port + 2))"
actors = [ { kind = "kv_store", name = "store" }, { kind = "client", name = "client" } ]
TOML

"$bin/coact-node" --config "$work/cluster.toml" --check
for node in a b c; do
  "$bin/coact-node" --config "$work/cluster.toml" --node "$node" > "$work/$node.log" 2>&1 &
  pids+=($!)
done

# The client reports once, after its workload; wait for that line (at most 60 s).
for _ in $(seq 600); do
  if grep -q "^client " "$work/c.log"; then break; fi
  sleep 0.1
done
cat "$work"/{a,b,c}.log
report=$(grep "^client " "$work/c.log" || true)
if [[ -z $report ]]; then
  echo "run.sh: the client did not report within 60 s" >&2
  exit 1
fi
[[ $report == *" 0 errors"* ]]
