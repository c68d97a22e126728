// The phi accrual failure detector: regular heartbeats keep phi low, phi grows with the
// silence and crosses the threshold at the instant the normal model predicts, jitter and
// acceptable_pause widen the tolerated gap, the window forgets old intervals, huge gaps
// give a finite phi, and bad options are refused.
#include "coact/net/tcp/failure_detector.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>

using namespace std::chrono_literals;
using coact::duration;
using coact::time_point;
using coact::net::tcp::phi_accrual_detector;
using coact::net::tcp::phi_options;

namespace {

time_point at(duration d) { return time_point{d}; }

/// `count` heartbeats `interval` apart from `start`; the instant of the last one.
time_point beat_regularly(phi_accrual_detector& d, time_point start, duration interval, int count) {
  time_point t = start;
  for (int i = 0; i < count; ++i) {
    if (i > 0) t = t + interval;
    d.heartbeat(t);
  }
  return t;
}

/// True if `options` is refused with invalid_argument.
bool refused(phi_options options) {
  const auto r = phi_accrual_detector::validate(options);
  return !r && r.error() == coact::errc::invalid_argument;
}

}  // namespace

// Proves that heartbeats every 100 ms keep phi far below the threshold at every instant
// up to the next one.
TEST_CASE("regular heartbeats keep phi low", "[net]") {
  phi_accrual_detector d{phi_options{}};
  time_point t = at(0ms);
  for (int beat = 0; beat < 200; ++beat) {
    d.heartbeat(t);
    for (duration since = 0ms; since <= 100ms; since += 1ms) {
      CHECK(d.phi(t + since) < 0.5);
      CHECK(d.available(t + since));
    }
    t = t + 100ms;
  }
  CHECK(d.interval_count() == 100);
}

// Proves that without heartbeats phi rises strictly with time and crosses the threshold of
// 8 between 361 and 362 ms after the last one: mean 100 ms, stddev min_stddev = 50 ms,
// and phi = 8 at y = 5.2260 standard deviations, so at 100 + 5.226 * 50 = 361.3 ms.
TEST_CASE("phi grows with silence and crosses the threshold on time", "[net]") {
  phi_accrual_detector d{phi_options{}};
  const time_point last = beat_regularly(d, at(5s), 100ms, 30);
  double previous = -1;
  for (duration since = 0ms; since <= 2s; since += 1ms) {
    const double phi = d.phi(last + since);
    CHECK(phi > previous);
    previous = phi;
  }
  CHECK(d.available(last + 361ms));
  CHECK_FALSE(d.available(last + 362ms));
  CHECK(d.phi(last + 361'299us) == Approx(8.0).epsilon(1e-3));
  // A few missed intervals, not one: the first missed heartbeat is far from suspicious.
  CHECK(d.phi(last + 200ms) < 2);
}

// Proves that intervals alternating 20 and 180 ms (mean 100, stddev 80 ms) move the
// crossing to 100 + 5.226 * 80 = 518.1 ms, later than for regular heartbeats.
TEST_CASE("jittery heartbeats raise the tolerated gap", "[net]") {
  phi_accrual_detector d{phi_options{}};
  time_point t = at(0ms);
  d.heartbeat(t);
  for (int i = 0; i < 100; ++i) {
    t = t + (i % 2 == 0 ? 20ms : 180ms);
    d.heartbeat(t);
  }
  CHECK(d.available(t + 518ms));
  CHECK_FALSE(d.available(t + 519ms));

  phi_accrual_detector regular{phi_options{}};
  const time_point last = beat_regularly(regular, at(0ms), 100ms, 101);
  CHECK_FALSE(regular.available(last + 400ms));
  CHECK(d.available(t + 400ms));
}

// Proves that acceptable_pause adds to the mean: 200 ms of pause moves the crossing of
// regular 100 ms heartbeats from 361.3 ms to 561.3 ms.
TEST_CASE("acceptable_pause shifts the crossing", "[net]") {
  phi_accrual_detector d{phi_options{.acceptable_pause = 200ms}};
  const time_point last = beat_regularly(d, at(0ms), 100ms, 50);
  CHECK(d.available(last + 561ms));
  CHECK_FALSE(d.available(last + 562ms));
  phi_accrual_detector plain{phi_options{}};
  const time_point plain_last = beat_regularly(plain, at(0ms), 100ms, 50);
  for (duration since = 0ms; since <= 1s; since += 10ms) {
    CHECK(d.phi(last + since + 200ms) == Approx(plain.phi(plain_last + since)));
  }
}

// Proves that the window holds at most `window` intervals and that intervals pushed out
// of it no longer count: after ten 1 s intervals then ten 100 ms ones, a window of 10
// answers as if it had only seen the 100 ms ones.
TEST_CASE("the window forgets old intervals", "[net]") {
  const phi_options options{.window = 10};
  phi_accrual_detector d{options};
  time_point t = beat_regularly(d, at(0ms), 1s, 11);
  CHECK(d.interval_count() == 10);
  CHECK(d.available(t + 1100ms));

  phi_accrual_detector fresh{options};
  const time_point fresh_last = beat_regularly(fresh, at(0ms), 100ms, 11);
  for (int i = 0; i < 5; ++i) d.heartbeat(t = t + 100ms);
  CHECK(d.interval_count() == 10);
  // Half the window still holds 1 s intervals: a 400 ms gap is nothing yet.
  CHECK(d.available(t + 400ms));
  for (int i = 0; i < 5; ++i) d.heartbeat(t = t + 100ms);
  CHECK(d.interval_count() == 10);
  for (duration since = 0ms; since <= 1s; since += 10ms) {
    CHECK(d.phi(t + since) == Approx(fresh.phi(fresh_last + since)).margin(1e-9));
  }
  CHECK(d.available(t + 361ms));
  CHECK_FALSE(d.available(t + 362ms));
}

// Proves that before the second heartbeat the mean is first_heartbeat_estimate (1 s) with
// a stddev of a quarter of it, so phi crosses 8 at 1000 + 5.226 * 250 = 2306.5 ms; that
// phi is 0 before any heartbeat; and that reset() returns to that state.
TEST_CASE("first heartbeat estimate and reset", "[net]") {
  phi_accrual_detector d{phi_options{}};
  CHECK(d.phi(at(1h)) == 0.0);
  CHECK(d.available(at(1h)));
  d.heartbeat(at(0ms));
  CHECK(d.interval_count() == 0);
  CHECK(d.available(at(2306ms)));
  CHECK_FALSE(d.available(at(2307ms)));

  const time_point last = beat_regularly(d, at(100ms), 100ms, 20);
  CHECK(d.interval_count() == 20);
  CHECK_FALSE(d.available(last + 400ms));
  d.reset();
  CHECK(d.interval_count() == 0);
  CHECK(d.phi(last + 1h) == 0.0);
  d.heartbeat(last + 1h);
  CHECK(d.available(last + 1h + 2306ms));
  CHECK_FALSE(d.available(last + 1h + 2307ms));
}

// Proves that phi stays finite and ordered for the largest gaps the clock can express,
// for tiny stddevs, after a huge interval, and for instants before the last heartbeat.
TEST_CASE("huge gaps give a finite phi", "[net]") {
  const time_point end{duration::max()};
  const time_point start{duration::min()};
  for (const duration min_stddev : {duration{1}, duration{50ms}, duration{1h}}) {
    phi_accrual_detector d{phi_options{.min_stddev = min_stddev}};
    const time_point last = beat_regularly(d, at(0ms), 100ms, 10);
    for (const time_point now : {end, start, last + 24h, last + 10s, at(-1h)}) {
      const double phi = d.phi(now);
      CHECK(std::isfinite(phi));
      CHECK(phi >= 0);
      CHECK(phi <= phi_accrual_detector::phi_max);
    }
    CHECK(d.phi(end) == phi_accrual_detector::phi_max);
    CHECK_FALSE(d.available(end));
    CHECK(d.available(start));
  }

  // Intervals spanning the whole clock: the running sums stay finite.
  phi_accrual_detector d{phi_options{}};
  d.heartbeat(start);
  d.heartbeat(at(0ms));
  d.heartbeat(end);
  CHECK(d.interval_count() == 2);
  for (const time_point now : {start, at(0ms), end}) {
    CHECK(std::isfinite(d.phi(now)));
    CHECK(d.phi(now) >= 0);
  }
  CHECK(d.available(end));
}

// Proves that validate() accepts the defaults and the boundary values, and refuses each
// out-of-range field with invalid_argument.
TEST_CASE("phi options are validated", "[net]") {
  const auto defaults = phi_accrual_detector::validate(phi_options{});
  REQUIRE(defaults);
  CHECK(defaults.value().threshold == 8.0);
  CHECK(defaults.value().window == 100);
  CHECK(phi_accrual_detector::validate(phi_options{.window = 2}));
  CHECK(phi_accrual_detector::validate(phi_options{.window = phi_accrual_detector::window_max}));
  CHECK(phi_accrual_detector::validate(phi_options{.min_stddev = duration{1}}));

  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(refused({.threshold = 0}));
  CHECK(refused({.threshold = -1}));
  CHECK(refused({.threshold = inf}));
  CHECK(refused({.threshold = std::numeric_limits<double>::quiet_NaN()}));
  CHECK(refused({.window = 0}));
  CHECK(refused({.window = 1}));
  CHECK(refused({.window = phi_accrual_detector::window_max + 1}));
  CHECK(refused({.min_stddev = 0ms}));
  CHECK(refused({.min_stddev = -1ms}));
  CHECK(refused({.acceptable_pause = -1ms}));
  CHECK(refused({.first_heartbeat_estimate = 0ms}));
  CHECK(refused({.first_heartbeat_estimate = -1s}));
}
