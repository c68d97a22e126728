// The key chooser: uniform and Zipfian draws follow their probabilities, the same seed
// draws the same keys, and bad parameters are refused.
#include "key_chooser.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using coact::bench::key_chooser;
using coact::bench::key_skew;

namespace {

/// How often each key comes up in `draws` draws from seed `seed`.
std::vector<int> histogram(const key_chooser& keys, int draws, std::uint64_t seed) {
  std::vector<int> counts(keys.key_count(), 0);
  coact::prng random{seed};
  for (int i = 0; i < draws; ++i) ++counts.at(keys.next(random));
  return counts;
}

}  // namespace

// Proves each key's measured frequency is its probability (within 5 standard errors),
// for uniform keys and for Zipfian keys of two exponents, and the probabilities sum to 1.
TEST_CASE("keys are drawn with their probabilities", "[bench]") {
  const auto [skew, s] =
      GENERATE(std::pair{key_skew::uniform, 0.0}, std::pair{key_skew::zipfian, 0.99},
               std::pair{key_skew::zipfian, 1.5});
  CAPTURE(static_cast<int>(skew), s);
  const auto keys = key_chooser::make(50, skew, s).value();
  constexpr int draws = 200'000;
  const auto counts = histogram(keys, draws, 7);
  double total = 0;
  for (std::uint64_t k = 0; k < keys.key_count(); ++k) {
    const double p = keys.probability(k);
    total += p;
    const double error = 5 * std::sqrt(p * (1 - p) / draws);
    CAPTURE(k, p);
    CHECK(std::abs(counts[k] / static_cast<double>(draws) - p) <= error);
  }
  CHECK(total == Approx(1));
  CHECK(keys.probability(keys.key_count()) == 0);
  if (skew == key_skew::zipfian) {
    // Zipf's law: key 0 is 2^s times as likely as key 1.
    CHECK(keys.probability(0) / keys.probability(1) == Approx(std::pow(2, s)));
  }
}

// Proves the draws depend on the seed only.
TEST_CASE("the same seed draws the same keys", "[bench]") {
  const auto keys = key_chooser::make(1000, key_skew::zipfian, 0.99).value();
  CHECK(histogram(keys, 1000, 3) == histogram(keys, 1000, 3));
  CHECK(histogram(keys, 1000, 3) != histogram(keys, 1000, 4));
}

// Proves impossible key spaces and exponents are refused.
TEST_CASE("bad key parameters are refused", "[bench]") {
  CHECK(key_chooser::make(0, key_skew::uniform).error() == coact::errc::invalid_argument);
  CHECK(key_chooser::make(10, key_skew::zipfian, 0).error() == coact::errc::invalid_argument);
  CHECK(key_chooser::make(10, key_skew::zipfian, NAN).error() == coact::errc::invalid_argument);
  CHECK(key_chooser::make(1, key_skew::zipfian, 1).value().probability(0) == 1);
}
