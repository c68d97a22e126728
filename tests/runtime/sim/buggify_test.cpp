// Fault sites: never fire outside a simulation, fire only at the sites a run enables, and
// replay with the seed.
#include "coact/runtime/sim/buggify.hpp"

#include <catch2/catch.hpp>

#include <vector>

using coact::prng;
using coact::sim::fault_injector;
using coact::sim::fault_scope;

namespace {

/// Which of 20 sites fire over 100 visits each, with probability 0.5 once enabled.
std::vector<int> firings(std::uint64_t seed) {
  fault_injector injector{prng{seed}};
  const fault_scope scope{&injector};
  std::vector<int> fired(20, 0);
  for (int visit = 0; visit < 100; ++visit) {
    for (int site = 0; site < 20; ++site) {
      if (coact::sim::buggify("site.cpp", site, 0.5)) ++fired[site];
    }
  }
  return fired;
}

}  // namespace

// Proves production code, outside any simulation, never sees a fault.
TEST_CASE("a fault site never fires outside a simulation", "[runtime][sim]") {
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(COACT_SIM_BUGGIFY(1.0));
}

// Proves a run enables some sites and not others, each enabled site fires at about its
// probability, and the same seed makes the same choices.
TEST_CASE("a run enables a share of the sites and replays with its seed", "[runtime][sim]") {
  const std::vector<int> fired = firings(11);
  int enabled = 0;
  for (const int f : fired) {
    if (f == 0) continue;
    ++enabled;
    CHECK(f > 30);
    CHECK(f < 70);
  }
  CHECK(enabled > 0);
  CHECK(enabled < 20);
  CHECK(firings(11) == fired);
  CHECK(firings(12) != fired);
}

// Proves the scope restores the outer injector (or none) when it ends.
TEST_CASE("fault scopes nest", "[runtime][sim]") {
  fault_injector always{prng{1}, 1.0};
  {
    const fault_scope outer{&always};
    {
      const fault_scope inner{nullptr};
      CHECK_FALSE(COACT_SIM_BUGGIFY(1.0));
    }
    CHECK(COACT_SIM_BUGGIFY(1.0));
  }
  CHECK_FALSE(COACT_SIM_BUGGIFY(1.0));
}
