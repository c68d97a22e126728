// coact's own generator and distributions: a seed's sequence is fixed forever (replay
// depends on it), streams are independent, and the distributions have their shapes.
#include "coact/runtime/prng.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using coact::prng;

// Proves a seed gives the same numbers on every platform and in every version: a changed
// sequence would make recorded failing seeds replay something else.
TEST_CASE("a seed's sequence is pinned", "[runtime]") {
  prng r{42};
  CHECK(r.next() == 1546998764402558742ULL);
  CHECK(r.next() == 6990951692964543102ULL);
  CHECK(r.next() == 12544586762248559009ULL);
  CHECK(prng{42}.split("net").next() == 1063310907425930434ULL);
}

// Proves a stream depends on the seed and its name only, not on draws made before.
TEST_CASE("split streams are independent of the parent's draws", "[runtime]") {
  prng a{7};
  prng b{7};
  for (int i = 0; i < 100; ++i) (void)b.next();
  CHECK(a.split("disk").next() == b.split("disk").next());
  CHECK(a.split("disk").next() != a.split("net").next());
  CHECK(prng{8}.split("disk").next() != a.split("disk").next());
}

// Proves below() stays in range, reaches every value, and is not visibly biased.
TEST_CASE("below is uniform over its range", "[runtime]") {
  prng r{1};
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100'000; ++i) ++counts.at(r.below(10));
  for (const int c : counts) CHECK(std::abs(c - 10'000) < 500);
  CHECK(r.below(0) == 0);
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t v = r.between(-3, 3);
    CHECK(v >= -3);
    CHECK(v <= 3);
  }
}

// Proves the continuous distributions have the means and supports they are named for.
TEST_CASE("exponential, Pareto, normal and chance have their shapes", "[runtime]") {
  prng r{2};
  constexpr int n = 200'000;
  double exp_sum = 0;
  double pareto_sum = 0;
  double pareto_min = 1e9;
  double normal_sum = 0;
  double normal_sq = 0;
  int hits = 0;
  for (int i = 0; i < n; ++i) {
    exp_sum += r.exponential(2.0);
    const double p = r.pareto(1.5, 3.0);
    pareto_sum += p;
    pareto_min = std::min(pareto_min, p);
    const double x = r.normal(5.0, 2.0);
    normal_sum += x;
    normal_sq += x * x;
    hits += r.chance(0.25) ? 1 : 0;
  }
  CHECK(exp_sum / n == Approx(0.5).epsilon(0.02));
  CHECK(pareto_min >= 1.5);
  CHECK(pareto_sum / n == Approx(3.0 * 1.5 / 2.0).epsilon(0.03));  // alpha x_m / (alpha - 1)
  const double mean = normal_sum / n;
  CHECK(mean == Approx(5.0).epsilon(0.01));
  CHECK(std::sqrt(normal_sq / n - mean * mean) == Approx(2.0).epsilon(0.02));
  CHECK(hits / double{n} == Approx(0.25).epsilon(0.02));
  CHECK_FALSE(r.chance(0.0));
  CHECK(r.chance(1.0));
}
