// The delay distributions: each one's sample mean and minimum match its formula, mixture
// weights are respected, the PBS models carry the paper's parameters, bad parameters are
// refused, and the same seed gives the same samples.
#include "coact/net/sim/delay_distribution.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using coact::duration;
using coact::prng;
using coact::net::sim::delay_distribution;
using coact::net::sim::pbs_model;

namespace {

constexpr std::uint64_t seed = 20240611;
constexpr int sample_count = 200'000;

struct summary {
  double mean_ms = 0;
  double min_ms = std::numeric_limits<double>::infinity();
};

/// The mean and minimum of `sample_count` samples, in ms, from the rounded durations.
summary summarise(const delay_distribution& d, std::uint64_t s = seed) {
  prng random{s};
  summary out;
  double total = 0;
  for (int i = 0; i < sample_count; ++i) {
    const double ms = static_cast<double>(d.sample(random).count()) / 1e6;
    total += ms;
    out.min_ms = std::min(out.min_ms, ms);
  }
  out.mean_ms = total / sample_count;
  return out;
}

}  // namespace

// Proves a constant distribution always gives its value, in nanoseconds.
TEST_CASE("a constant delay is always the same", "[net][sim]") {
  INFO("seed " << seed);
  const auto d = delay_distribution::constant(4.5).value();
  prng random{seed};
  for (int i = 0; i < 100; ++i) CHECK(d.sample(random) == duration{4'500'000});
  CHECK(d.mean_ms() == 4.5);
  CHECK(d.min_ms() == 4.5);
  CHECK(delay_distribution{}.sample(random) == duration{1'000'000});
}

// Proves each basic shape's sample mean and minimum match its formula.
TEST_CASE("basic distributions match their formulas", "[net][sim]") {
  INFO("seed " << seed);
  SECTION("uniform [2, 5]: mean (a + b) / 2, min a") {
    const auto d = delay_distribution::uniform(2, 5).value();
    CHECK(d.mean_ms() == 3.5);
    const summary s = summarise(d);
    CHECK(s.mean_ms == Approx(3.5).epsilon(0.01));
    CHECK(s.min_ms >= 2);
    CHECK(s.min_ms < 2.001);
  }
  SECTION("exponential rate 0.5 / ms: mean 1 / rate, min 0") {
    const auto d = delay_distribution::exponential(0.5).value();
    CHECK(d.mean_ms() == 2);
    CHECK(d.min_ms() == 0);
    const summary s = summarise(d);
    CHECK(s.mean_ms == Approx(2).epsilon(0.02));
    CHECK(s.min_ms < 0.001);
  }
  SECTION("Pareto (0.235, 10): mean alpha x_m / (alpha - 1), min x_m") {
    const auto d = delay_distribution::pareto(0.235, 10).value();
    CHECK(d.mean_ms() == Approx(10 * 0.235 / 9));
    CHECK(d.min_ms() == 0.235);
    const summary s = summarise(d);
    CHECK(s.mean_ms == Approx(10 * 0.235 / 9).epsilon(0.01));
    CHECK(s.min_ms >= 0.235 - 1e-6);  // rounding to the nanosecond
    CHECK(s.min_ms < 0.2351);
  }
  SECTION("Pareto (1, 3)") {
    const auto d = delay_distribution::pareto(1, 3).value();
    const summary s = summarise(d);
    CHECK(s.mean_ms == Approx(1.5).epsilon(0.02));
    CHECK(s.min_ms >= 1);
    CHECK(s.min_ms < 1.001);
  }
  SECTION("Pareto with shape <= 1 has an infinite mean, and samples stay capped") {
    const auto d = delay_distribution::pareto(1, 0.01).value();
    CHECK(d.mean_ms() == std::numeric_limits<double>::infinity());
    prng random{seed};
    for (int i = 0; i < 1000; ++i) {
      CHECK(d.sample(random).count() <= std::llround(delay_distribution::sample_ms_max * 1e6));
    }
  }
}

// Proves a mixture picks each part with its normalised weight, and nested mixtures
// multiply their weights.
TEST_CASE("a mixture respects its weights", "[net][sim]") {
  INFO("seed " << seed);
  const auto one = delay_distribution::constant(1).value();
  const auto five = delay_distribution::constant(5).value();
  const auto nine = delay_distribution::constant(9).value();
  // Weights 3 : 7 normalise to 30% / 70%.
  const auto inner = delay_distribution::mixture({{3, one}, {7, five}}).value();
  // Half inner, half nine: 15% one, 35% five, 50% nine.
  const auto outer = delay_distribution::mixture({{1, inner}, {1, nine}}).value();
  CHECK(inner.mean_ms() == Approx(0.3 * 1 + 0.7 * 5));
  CHECK(outer.mean_ms() == Approx(0.15 * 1 + 0.35 * 5 + 0.5 * 9));
  CHECK(outer.min_ms() == 1);
  prng random{seed};
  int ones = 0;
  int fives = 0;
  int nines = 0;
  for (int i = 0; i < sample_count; ++i) {
    const duration d = outer.sample(random);
    ones += d == duration{1'000'000} ? 1 : 0;
    fives += d == duration{5'000'000} ? 1 : 0;
    nines += d == duration{9'000'000} ? 1 : 0;
  }
  CHECK(ones + fives + nines == sample_count);
  CHECK(ones / double{sample_count} == Approx(0.15).margin(0.005));
  CHECK(fives / double{sample_count} == Approx(0.35).margin(0.005));
  CHECK(nines / double{sample_count} == Approx(0.50).margin(0.005));
}

// Proves the PBS models carry the paper's parameters: their means by formula, and the
// sample means of the ones with a finite variance.
TEST_CASE("the PBS models match the paper's parameters", "[net][sim]") {
  INFO("seed " << seed);
  const double ssd_mean = 0.9122 * (10 * 0.235 / 9) + 0.0878 / 1.66;
  const double disk_write_mean = 0.38 * (1.51 * 1.05 / 0.51) + 0.62 / 0.183;
  const double ymmr_write_mean = 0.939 * (3.35 * 3 / 2.35) + 0.061 / 0.0028;
  const double ymmr_other_mean = 0.982 * (3.8 * 1.5 / 2.8) + 0.018 / 0.0217;
  CHECK(delay_distribution::lnkd_ssd().mean_ms() == Approx(ssd_mean));
  CHECK(delay_distribution::lnkd_disk_write().mean_ms() == Approx(disk_write_mean));
  CHECK(delay_distribution::ymmr_write().mean_ms() == Approx(ymmr_write_mean));
  CHECK(delay_distribution::ymmr_other().mean_ms() == Approx(ymmr_other_mean));
  CHECK(summarise(delay_distribution::lnkd_ssd()).mean_ms == Approx(ssd_mean).epsilon(0.01));
  CHECK(summarise(delay_distribution::ymmr_other()).mean_ms ==
        Approx(ymmr_other_mean).epsilon(0.03));

  // Below x_m = 0.235 ms only the exponential part (8.78%) reaches:
  // 8.78% * P(Exp(1.66) < 0.235).
  prng random{seed};
  int below = 0;
  const auto ssd = delay_distribution::lnkd_ssd();
  for (int i = 0; i < sample_count; ++i) below += ssd.sample_ms(random) < 0.235 ? 1 : 0;
  CHECK(below / double{sample_count} ==
        Approx(0.0878 * (1 - std::exp(-1.66 * 0.235))).margin(0.002));

  const pbs_model disk = pbs_model::lnkd_disk();
  CHECK(disk.write.mean_ms() == Approx(disk_write_mean));
  CHECK(disk.other.mean_ms() == Approx(ssd_mean));
  CHECK(pbs_model::lnkd_ssd().write.mean_ms() == Approx(ssd_mean));
  CHECK(pbs_model::ymmr().write.mean_ms() == Approx(ymmr_write_mean));
  CHECK(pbs_model::ymmr().other.mean_ms() == Approx(ymmr_other_mean));
}

// Proves parameters outside each distribution's domain are refused with invalid_argument.
TEST_CASE("invalid distribution parameters are refused", "[net][sim]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(delay_distribution::constant(-1).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::constant(nan).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::uniform(5, 2).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::uniform(-1, 2).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::uniform(1, inf).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::exponential(0).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::pareto(0, 2).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::pareto(1, -2).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::mixture({}).error() == coact::errc::invalid_argument);
  const auto one = delay_distribution::constant(1).value();
  CHECK(delay_distribution::mixture({{-1, one}, {2, one}}).error() ==
        coact::errc::invalid_argument);
  CHECK(delay_distribution::mixture({{0, one}}).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::mixture({{nan, one}}).error() == coact::errc::invalid_argument);
  CHECK(delay_distribution::uniform(2, 2));
}

// Proves sampling depends on the seed only.
TEST_CASE("the same seed gives the same delays", "[net][sim]") {
  INFO("seed " << seed);
  const auto d = delay_distribution::lnkd_ssd();
  const auto draw = [&](std::uint64_t s) {
    prng random{s};
    std::vector<duration> out;
    for (int i = 0; i < 1000; ++i) out.push_back(d.sample(random));
    return out;
  };
  CHECK(draw(seed) == draw(seed));
  CHECK(draw(seed) != draw(seed + 1));
}
