// The causal checker against the session checker on one causally consistent history
// (causal_history.hpp: 32 processes, 2,000 keys), at two sizes: the causal checker's time
// should grow as the session checker's does, in proportion to the operations.
// COACT_BENCH_SCALE scales the operations (at least 100), for smoke runs.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include "check/causal_history.hpp"
#include "coact/check/causal.hpp"
#include "coact/check/session_guarantees.hpp"
#include "common/bench_scale.hpp"

namespace coact::bench {
namespace {

/// The history of `operations` (scaled), generated once per size before any timing.
const check::history& history_of(std::int64_t operations) {
  static std::map<std::int64_t, check::history> histories;
  auto it = histories.find(operations);
  if (it == histories.end()) {
    const auto scaled = std::max(100.0, std::round(double(operations) * coact_bench_scale()));
    it = histories.emplace(operations, causal_history({.operation_count = std::size_t(scaled)}))
             .first;
  }
  return it->second;
}

template <class Check>
void run(benchmark::State& state, Check check) {
  const check::history& h = history_of(state.range(0));
  for (auto _ : state) {
    auto report = check(h);
    if (!report || !report.value().valid()) {
      state.SkipWithError("the generated history should be causally consistent");
      return;
    }
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(h.size() / 2));
}

void check_causal(benchmark::State& state) {
  run(state, [](const check::history& h) { return check::check_causal(h); });
}

void check_session(benchmark::State& state) {
  run(state, [](const check::history& h) { return check::check_session_guarantees(h); });
}

BENCHMARK(check_causal)
    ->Name("check/causal")
    ->Arg(5'000)
    ->Arg(20'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(check_session)
    ->Name("check/session")
    ->Arg(5'000)
    ->Arg(20'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
