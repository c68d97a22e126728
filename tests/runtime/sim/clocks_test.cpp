// Simulated clocks: virtual time moves only forward, and a skewed clock's reading and its
// inverse agree.
#include "coact/runtime/sim/clocks.hpp"

#include <catch2/catch.hpp>

#include "coact/runtime/interval_clock.hpp"

using namespace std::chrono_literals;
using coact::time_point;
using coact::sim::skewed_clock;
using coact::sim::virtual_clock;

// Proves virtual time never goes backward.
TEST_CASE("virtual time only advances", "[runtime][sim]") {
  virtual_clock c;
  c.advance_to(time_point{5s});
  c.advance_to(time_point{2s});
  CHECK(c.now() == time_point{5s});
}

// Proves offset and drift apply as documented and to_true inverts to_local.
TEST_CASE("a skewed clock reads true time plus offset plus drift", "[runtime][sim]") {
  auto truth = std::make_shared<virtual_clock>();
  const skewed_clock fast{truth, 3ms, 100.0};  // +3 ms, 100 ppm fast
  truth->advance_to(time_point{10s});
  CHECK(fast.now() == time_point{10s + 3ms + 1ms});  // 100 ppm of 10 s is 1 ms
  const skewed_clock slow{truth, -2ms, -50.0};
  CHECK(slow.now() == time_point{10s - 2ms - 500us});
  for (const auto local : {time_point{1s}, time_point{10s + 4ms}, time_point{123456789ns}}) {
    const time_point t = fast.to_true(local);
    CHECK(fast.to_local(t) >= local);
    CHECK(fast.to_local(t + -1ns) < local);
  }
}

// Proves the interval contains true time while the clock's error is within epsilon, and
// can miss it when the simulator sets the error beyond epsilon.
TEST_CASE("an interval clock holds true time only while the error stays within epsilon",
          "[runtime][sim]") {
  auto truth = std::make_shared<virtual_clock>();
  truth->advance_to(time_point{1s});
  const coact::interval_clock within{std::make_shared<skewed_clock>(truth, 4ms, 0.0), 5ms};
  const coact::interval_clock beyond{std::make_shared<skewed_clock>(truth, 7ms, 0.0), 5ms};
  CHECK(within.now().contains(truth->now()));
  CHECK_FALSE(beyond.now().contains(truth->now()));
  CHECK(within.now().latest - within.now().earliest == 10ms);
  CHECK(within.after(time_point{1s - 2ms}));
  CHECK_FALSE(within.after(time_point{1s}));
  CHECK(within.before(time_point{1s + 10ms}));
  CHECK_FALSE(within.before(time_point{1s + 9ms}));
}
