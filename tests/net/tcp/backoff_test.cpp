// The reconnect backoff: each delay lies in [half, full] of the capped exponential, the
// ceiling grows by the multiplier and stays at max, reset() starts over, the same seed
// gives the same delays, and bad options are refused.
#include "coact/net/tcp/backoff.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

using namespace std::chrono_literals;
using coact::duration;
using coact::prng;
using coact::net::tcp::backoff;
using coact::net::tcp::backoff_options;

namespace {

constexpr std::uint64_t seed = 20240917;

/// The first `count` delays of a backoff with `options` seeded with `s`.
std::vector<duration> delays(backoff_options options, std::uint64_t s, int count) {
  backoff b{options, prng{s}};
  std::vector<duration> out;
  for (int i = 0; i < count; ++i) out.push_back(b.next());
  return out;
}

/// True if `options` is refused with invalid_argument.
bool refused(backoff_options options) {
  const auto r = backoff::validate(options);
  return !r && r.error() == coact::errc::invalid_argument;
}

}  // namespace

// Proves that attempt k's delay lies in [ceiling / 2, ceiling] with ceiling =
// min(max, initial * 2^k), and that with multiplier 2 the delays never shrink until the
// ceiling reaches max.
TEST_CASE("backoff delays grow within half and full of the exponential", "[net]") {
  INFO("seed " << seed);
  const backoff_options options{};
  backoff b{options, prng{seed}};
  duration ceiling = options.initial;
  duration previous = 0ms;
  duration previous_ceiling = 0ms;
  for (std::uint32_t k = 0; k < 20; ++k) {
    CHECK(b.attempts() == k);
    CHECK(b.ceiling() == ceiling);
    const duration d = b.next();
    CHECK(d >= ceiling / 2);
    CHECK(d <= ceiling);
    // A doubled ceiling's lower half starts where the previous range ended.
    if (ceiling == previous_ceiling * 2) CHECK(d >= previous);
    previous = d;
    previous_ceiling = ceiling;
    ceiling = std::min(ceiling * 2, options.max);
  }
  CHECK(previous_ceiling == options.max);
  CHECK(b.attempts() == 20);
}

// Proves that the ceiling reaches max after 7 doublings of 50 ms and stays there, the
// delays then spreading over [2.5 s, 5 s] rather than sticking to one value.
TEST_CASE("backoff reaches max and stays there", "[net]") {
  INFO("seed " << seed);
  backoff b{backoff_options{}, prng{seed}};
  for (int k = 0; k < 7; ++k) {
    CHECK(b.ceiling() < 5s);
    (void)b.next();
  }
  duration low = duration::max();
  duration high = duration::min();
  for (int k = 0; k < 1000; ++k) {
    CHECK(b.ceiling() == 5s);
    const duration d = b.next();
    CHECK(d >= 2500ms);
    CHECK(d <= 5s);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  CHECK(b.ceiling() == 5s);
  CHECK(low < 2600ms);
  CHECK(high > 4900ms);
}

// Proves that reset() brings back the first ceiling and zero attempts.
TEST_CASE("backoff reset restarts from initial", "[net]") {
  INFO("seed " << seed);
  backoff b{backoff_options{}, prng{seed}};
  for (int k = 0; k < 10; ++k) (void)b.next();
  CHECK(b.attempts() == 10);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.ceiling() == 50ms);
  const duration d = b.next();
  CHECK(d >= 25ms);
  CHECK(d <= 50ms);
  CHECK(b.attempts() == 1);
  CHECK(b.ceiling() == 100ms);
}

// Proves that the same seed replays the same delays and another seed gives others.
TEST_CASE("backoff with the same seed gives the same delays", "[net]") {
  INFO("seed " << seed);
  const auto first = delays(backoff_options{}, seed, 50);
  CHECK(first == delays(backoff_options{}, seed, 50));
  CHECK(first != delays(backoff_options{}, seed + 1, 50));
}

// Proves that a 1 ns ceiling still waits 1 ns, never 0, and that a multiplier of 1.5
// still grows it (no truncation stall) up to max; a multiplier of 1 keeps it constant.
TEST_CASE("backoff never waits zero and never stalls", "[net]") {
  INFO("seed " << seed);
  backoff b{backoff_options{.initial = duration{1}, .max = 1ms, .multiplier = 1.5}, prng{seed}};
  duration ceiling = b.ceiling();
  for (int k = 0; k < 100; ++k) {
    CHECK(b.next() >= duration{1});
    CHECK((b.ceiling() > ceiling || b.ceiling() == 1ms));
    ceiling = b.ceiling();
  }
  CHECK(b.ceiling() == 1ms);

  backoff flat{backoff_options{.initial = 1s, .max = 1s, .multiplier = 1}, prng{seed}};
  for (int k = 0; k < 10; ++k) {
    const duration d = flat.next();
    CHECK(d >= 500ms);
    CHECK(d <= 1s);
    CHECK(flat.ceiling() == 1s);
  }
}

// Proves that validate() accepts the defaults and refuses each out-of-range field with
// invalid_argument.
TEST_CASE("backoff options are validated", "[net]") {
  CHECK(backoff::validate(backoff_options{}));
  CHECK(backoff::validate(backoff_options{.initial = 1s, .max = 1s, .multiplier = 1}));
  CHECK(refused({.initial = 0ms}));
  CHECK(refused({.initial = -1ms}));
  CHECK(refused({.initial = 2s, .max = 1s}));
  CHECK(refused({.multiplier = 0.5}));
  CHECK(refused({.multiplier = std::numeric_limits<double>::infinity()}));
  CHECK(refused({.multiplier = std::numeric_limits<double>::quiet_NaN()}));
}
