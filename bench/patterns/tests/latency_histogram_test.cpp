// The latency histogram: its quantiles stay within its stated relative error of the exact
// nearest-rank quantiles on random data of several shapes, small values are exact, the
// extremes are exact, and an empty histogram answers 0.
#include "latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "coact/runtime/prng.hpp"
#include "sim_seeds.hpp"

using coact::bench::latency_histogram;

namespace {

/// The exact nearest-rank quantile of sorted `values`.
std::uint64_t exact(const std::vector<std::uint64_t>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

// Proves every quantile from p1 to the max is within relative_error_max of the exact one,
// on latencies spread over seven decades: uniform, exponential and heavy-tailed (Pareto).
TEST_CASE("histogram quantiles are within their stated error", "[bench]") {
  const auto shape = GENERATE(0, 1, 2);
  for (const std::uint64_t seed : coact::test::seeds(5)) {
    INFO(coact::test::rerun_hint(seed, "build/dev/bench/patterns/patterns_tests"));
    coact::prng random{seed};
    latency_histogram h;
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 20'000; ++i) {
      double ns = 0;
      switch (shape) {
        case 0:
          ns = static_cast<double>(random.below(50'000'000));
          break;
        case 1:
          ns = random.exponential(1.0 / 2e6);
          break;
        default:
          ns = random.pareto(300'000, 1.2);
      }
      const auto v = static_cast<std::uint64_t>(std::min(ns, 1e15));
      values.push_back(v);
      h.record(v);
    }
    std::sort(values.begin(), values.end());
    REQUIRE(h.count() == values.size());
    CHECK(h.max() == values.back());
    for (const double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
      INFO("shape " << shape << ", q " << q);
      const auto want = static_cast<double>(exact(values, q));
      const auto got = static_cast<double>(h.quantile(q));
      CHECK(std::abs(got - want) <= latency_histogram::relative_error_max * want);
    }
  }
}

// Proves values below 1,024 ns have a bucket each, so their quantiles are exact, and the
// first and last ranks are the exact minimum and maximum.
TEST_CASE("small values and extremes are exact", "[bench]") {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v);
  CHECK(h.quantile(0.5) == 500);
  CHECK(h.quantile(0.99) == 990);
  CHECK(h.quantile(0) == 1);
  CHECK(h.quantile(1) == 1000);
  latency_histogram wide;
  wide.record(1'000'003);
  wide.record(7'777'777'777);
  CHECK(wide.quantile(0.5) == 1'000'003);
  CHECK(wide.quantile(1) == 7'777'777'777);
  CHECK(latency_histogram{}.quantile(0.5) == 0);
  CHECK(latency_histogram{}.count() == 0);
}
