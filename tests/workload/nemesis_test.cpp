// The nemesis: each fault takes effect at its start and ends after its length, faults
// overlap, skews set the nodes' clocks, and impossible faults are refused.
#include "coact/workload/nemesis.hpp"

#include <catch2/catch.hpp>

#include "coact/workload/simulation.hpp"
#include "local_store.hpp"

using namespace coact::workload;
using namespace std::chrono_literals;
using coact::time_point;
using coact::sim::node_state;

namespace {

std::unique_ptr<simulation> make(nemesis faults) {
  auto s = simulation::make({.deploy = workload_test::local(1ms), .faults = std::move(faults)}, 1);
  REQUIRE(s);
  return std::move(s).value();
}

}  // namespace

TEST_CASE("crashes, pauses, loss and duplication start and end on time", "[workload][sim]") {
  auto s = make(nemesis{}
                    .crash(time_point{10ms}, 20ms, 0)
                    .pause(time_point{5ms}, 10ms, 1)
                    .loss(time_point{5ms}, 20ms, 0.5)
                    .duplication(time_point{10ms}, 20ms, 0.25)
                    .skew(2, 5ms, 100));
  s->run_for(7ms);
  CHECK(s->world().state(1) == node_state::paused);
  CHECK(s->world().state(0) == node_state::up);
  CHECK(s->links().loss_probability == 0.5);
  s->run_for(10ms);
  CHECK(s->world().state(0) == node_state::crashed);
  CHECK(s->world().state(1) == node_state::up);
  CHECK(s->links().loss_probability == 0.5);
  CHECK(s->links().duplication_probability == 0.25);
  s->run_for(10ms);
  CHECK(s->links().loss_probability == 0);
  CHECK(s->links().duplication_probability == 0.25);
  s->run_for(10ms);
  CHECK(s->world().state(0) == node_state::up);
  CHECK(s->world().incarnation(0) == 1);
  CHECK(s->links().duplication_probability == 0);
  CHECK(s->world().clock_of(2).offset() == 5ms);
  CHECK(s->world().clock_of(2).drift_ppm() == Approx(100));
  CHECK(s->world().clock_of(1).offset() == 0ms);
}

TEST_CASE("partitions of every kind and splits cut links while in effect", "[workload][sim]") {
  using coact::net::sim::partition;
  auto s = make(nemesis{}
                    .partition(time_point{0ms}, 10ms, partition::one_way(0, 1))
                    .partition(time_point{0ms}, 10ms, partition::split({"dc2"}))
                    .split(time_point{5ms}, 10ms, {2, 3})
                    .random_partitions(
                        {.mean_between = 5ms, .mean_length = 5ms, .until = time_point{100ms}}));
  s->run_for(1ms);
  CHECK(s->network().cuts(0, 1));
  CHECK_FALSE(s->network().cuts(1, 0));
  s->run_for(5ms);
  CHECK(s->network().cuts(2, 0));
  CHECK(s->network().cuts(0, 3));
  CHECK_FALSE(s->network().cuts(2, 3));
  s->run_for(200ms);
  CHECK(s->network().partitions_in_effect() == 0);
  CHECK(s->network().counters().partitions_started > 2 + 2 * 5);
}

TEST_CASE("a nemesis refuses faults it cannot apply", "[workload][sim]") {
  const auto refused = [](nemesis faults) {
    auto s =
        simulation::make({.deploy = workload_test::local(1ms), .faults = std::move(faults)}, 1);
    return !s && s.error() == coact::errc::invalid_argument;
  };
  CHECK(refused(nemesis{}.crash(time_point{}, 1ms, 99)));
  CHECK(refused(nemesis{}.pause(time_point{}, -1ms, 0)));
  CHECK(refused(nemesis{}.loss(time_point{}, 1ms, 1.5)));
  CHECK(refused(nemesis{}.duplication(time_point{}, 1ms, -0.1)));
  CHECK(refused(nemesis{}.partition(time_point{}, -1ms, coact::net::sim::partition::isolate(0))));
  CHECK(refused(nemesis{}.random_partitions({.kinds = {}})));
}
