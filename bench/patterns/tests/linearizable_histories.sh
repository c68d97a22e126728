#!/bin/sh
# Every variant whose descriptor promises linearizable histories (`--list` marks it
# "linearizable") runs in the simulator with lost messages, on 3 and 5 nodes in one and two
# datacenters, writing its histories (--histories); `coact check linearizability` must
# judge each one linearizable (exit 0). A history that is not stays on disk, and the seed
# and file are printed: rerun with that seed alone to reproduce it.
#
# usage: linearizable_histories.sh BENCH COACT [SEED...]   (seeds 1 2 3 by default)
set -u
bench=$1
coact=$2
shift 2
seeds=${*:-1 2 3}

policies=$("$bench" --list | awk '$2 == "linearizable" { printf "%s%s", sep, $1; sep = "," }')
if [ -z "$policies" ]; then
  echo "no variant promises linearizable histories"
  exit 1
fi
echo "variants: $policies"
runs_per_seed=$(($(echo "$policies" | tr ',' '\n' | wc -l) * 4))
dir=$(mktemp -d "${TMPDIR:-/tmp}/coact-linearizable-histories.XXXXXX")
status=0
for seed in $seeds; do
  out=$dir/seed-$seed
  mkdir "$out"
  if ! "$bench" --runtime sim --nodes 3,5 --dcs 1,2 --clients 4 --ops 150 --keys 8 \
    --loss 0.05 --seed "$seed" --policies "$policies" --histories "$out" >"$out/table" 2>&1; then
    echo "seed $seed: the benchmark failed:"
    cat "$out/table"
    status=1
  fi
  count=$(find "$out" -name '*.jsonl' | wc -l)
  if [ "$count" -ne "$runs_per_seed" ]; then
    echo "seed $seed: $count histories written, expected $runs_per_seed"
    status=1
  fi
  for history in "$out"/*.jsonl; do
    if "$coact" check linearizability "$history" >"$history.verdict" 2>&1; then
      echo "seed $seed: $(basename "$history"): linearizable"
    else
      echo "seed $seed: $(basename "$history"): NOT linearizable (exit $?); kept: $history"
      cat "$history.verdict"
      status=1
    fi
  done
done
if [ "$status" -eq 0 ]; then rm -rf "$dir"; fi
exit "$status"
