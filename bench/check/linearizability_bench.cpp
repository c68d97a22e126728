// The linearizability checker over the golden Jepsen etcd histories: every iteration checks
// each loaded history once. COACT_BENCH_SCALE below 1 checks only the first
// max(1, round(102 * scale)) of them, for smoke runs.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/jepsen_log.hpp"
#include "coact/check/linearizability.hpp"
#include "common/bench_scale.hpp"

namespace coact::bench {
namespace {

/// The etcd histories in EXPECTED's order, loaded once before any timing; empty when the
/// golden directory cannot be read (the benchmark then reports an error).
std::vector<check::history> load_histories() {
  const std::string dir = std::string{COACT_CHECKER_GOLDEN_DIR} + "/jepsen-etcd/";
  std::ifstream expected(dir + "EXPECTED");
  std::vector<check::history> histories;
  std::string file;
  std::string verdict;
  while (expected >> file >> verdict) {
    auto h = check::read_jepsen_etcd_log(dir + file);
    if (!h) return {};
    histories.push_back(std::move(h).value());
  }
  const double wanted =
      std::round(static_cast<double>(histories.size()) * std::min(coact_bench_scale(), 1.0));
  histories.resize(std::min(histories.size(), std::max<std::size_t>(1, std::size_t(wanted))));
  return histories;
}

void check_linearizability(benchmark::State& state) {
  static const std::vector<check::history> histories = load_histories();
  if (histories.empty()) {
    state.SkipWithError("cannot load the golden etcd histories");
    return;
  }
  for (auto _ : state) {
    for (const check::history& h : histories) {
      auto report = check::check_linearizability(h);
      benchmark::DoNotOptimize(report);
    }
  }
  const auto count = static_cast<double>(histories.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(histories.size()));
  state.counters["histories"] = count;
  state.counters["histories_per_second"] =
      benchmark::Counter(count, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(check_linearizability)->Name("check/linearizability")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench

BENCHMARK_MAIN();
