// Staleness of quorum reads, measured over recorded histories: with R + W > N no read
// misses a write acknowledged before it began, under loss, reordering and a replica crash;
// with R + W <= N (ONE/ONE) stale reads happen and are measured.
#include "coact/check/staleness.hpp"

#include <catch2/catch.hpp>

#include "cluster.hpp"

using namespace quorum_test;
using quorum::level;

namespace {

/// A run of four clients over three durable replicas, 3% loss, reordering, and replica 2
/// crashed from 40 ms to 120 ms (its coordinator with it).
coact::check::staleness_report run(std::uint64_t seed, quorum::levels levels) {
  cluster c{seed, {.policy = {.defaults = levels}, .durable = true, .links = jittery(0.03)}};
  c.start_workload({.operations = 40}, levels);
  c.world().at(coact::time_point{40ms}, [&] { c.world().crash(c.replica(2)); });
  c.world().at(coact::time_point{120ms}, [&] { c.world().restart(c.replica(2)); });
  c.run_for(3s);
  auto report = coact::check::measure_staleness(c.history());
  REQUIRE(report);
  return std::move(report).value();
}

}  // namespace

SCENARIO("reads at R + W > N never miss an acknowledged write", "[policies][quorum][sim]") {
  const auto levels = GENERATE(values<quorum::levels>({{level::quorum, level::quorum},
                                                       {level::one, level::all},
                                                       {level::all, level::one},
                                                       {level::two, level::two}}));
  GIVEN("R=" << quorum::to_string(levels.read) << " W=" << quorum::to_string(levels.write)
             << " over three durable replicas, one crashing, on a lossy reordering network") {
    THEN("no read invoked after a write's acknowledgement returns an older value") {
      for (const std::uint64_t seed : seeds(10)) {
        INFO(rerun_hint(seed));
        const auto report = run(seed, levels);
        CHECK(report.valid());
        CHECK(report.read_count > 0);
        CHECK(report.write_count > 0);
        CHECK(report.summary.stale_fraction == 0);
        CHECK(report.summary.version_lag_max == 0);
      }
    }
  }
}

SCENARIO("reads at R + W <= N are sometimes stale, and the staleness is measured",
         "[policies][quorum][sim]") {
  GIVEN("R=ONE W=ONE over three replicas") {
    THEN("some seed's reads miss acknowledged writes") {
      double worst = 0;
      std::uint64_t stale_seeds = 0;
      std::uint64_t lag_max = 0;
      for (const std::uint64_t seed : seeds(10)) {
        INFO(rerun_hint(seed));
        const auto report = run(seed, {.read = level::one, .write = level::one});
        CHECK(report.valid());
        if (report.summary.stale_fraction > 0) ++stale_seeds;
        worst = std::max(worst, report.summary.stale_fraction);
        lag_max = std::max(lag_max, report.summary.version_lag_max);
      }
      CHECK(stale_seeds > 0);
      WARN("ONE/ONE: stale reads in " << stale_seeds << " seeds, worst stale fraction " << worst
                                      << ", version lag max " << lag_max);
    }
  }
}
