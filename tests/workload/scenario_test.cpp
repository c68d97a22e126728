// Scenarios run by seed: an open-loop client's latencies count from each request's due
// time (no coordinated omission) while a closed loop's count from its sending; a quorum
// scenario under a nemesis of every kind records a linearizable history on every seed, and
// replays byte for byte.
#include "coact/workload/scenario.hpp"

#include <catch2/catch.hpp>

#include <sstream>

#include "coact/check/history_json.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "local_store.hpp"
#include "sim_seeds.hpp"

using namespace coact::workload;
using namespace std::chrono_literals;
namespace quorum = coact::policies::quorum;
using coact::time_point;

TEST_CASE("an open loop measures latency from each request's due time", "[workload][sim]") {
  // Requests due every 1 ms, served in 2 ms, one at a time: request k waits k ms for the
  // ones before it, which a latency from its sending would hide.
  scenario s{.deploy = workload_test::local(2ms),
             .nodes = {.clients = {"dc1"}},
             .work = {.operations = 10, .rate_per_s = 1000},
             .length = 1s};
  auto open = run(s, 1);
  REQUIRE(open);
  REQUIRE(open.value().latencies.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) {
    CHECK(open.value().latencies[k] == std::chrono::milliseconds(k + 2));
  }
  s.work.rate_per_s = 0;
  auto closed = run(s, 1);
  REQUIRE(closed);
  for (const auto latency : closed.value().latencies) CHECK(latency == 2ms);
}

TEST_CASE("an open loop slower than its service sends at its rate", "[workload][sim]") {
  const scenario s{.deploy = workload_test::local(2ms),
                   .nodes = {.clients = {"dc1"}},
                   .work = {.operations = 10, .rate_per_s = 100},
                   .length = 1s};
  auto r = run(s, 1);
  REQUIRE(r);
  for (const auto latency : r.value().latencies) CHECK(latency == 2ms);
  const auto& h = r.value().history;
  // Ten requests due 10 ms apart: the last invoked 90 ms after the first.
  CHECK(h.back().time_ns - h.front().time_ns == std::chrono::nanoseconds{92ms}.count());
}

namespace {

/// ABD (write-back) quorum over five durable replicas under every fault at once: a
/// minority split, a crash, a pause, a one-way cut, loss and duplication.
scenario abd_under_faults() {
  const quorum::levels levels{quorum::level::quorum, quorum::level::quorum};
  return {
      .deploy = [levels](coact::sim::world& w, const coact::kv::topology& nodes)
          -> coact::result<std::unique_ptr<coact::kv::deployment>> {
        quorum::options o{.defaults = levels, .read_repair = false, .write_back = true};
        o.storage = coact::kv::simulated_disks(w);
        BOOST_OUTCOME_TRY(auto d, quorum::deploy(nodes, std::move(o)));
        return std::unique_ptr<coact::kv::deployment>{std::move(d)};
      },
      .nodes = {.replicas = {"dc1", "dc1", "dc1", "dc1", "dc1"},
                .links = {.delay = coact::net::sim::delay_distribution::uniform(0.1, 3.0).value(),
                          .fifo = false}},
      .work = {.requests = ycsb("A").value(), .record_count = 3, .operations = 40},
      .faults = nemesis{}
                    .split(time_point{50ms}, 300ms, {3, 4})
                    .crash(time_point{100ms}, 200ms, 0)
                    .pause(time_point{400ms}, 100ms, 1)
                    .partition(time_point{0ms}, 500ms, coact::net::sim::partition::one_way(5, 2))
                    .loss(time_point{200ms}, 600ms, 0.05)
                    .duplication(time_point{0ms}, 1s, 0.1),
      .length = 3s};
}

}  // namespace

TEST_CASE("a quorum scenario under a composed nemesis records a checkable history",
          "[workload][sim]") {
  for (const std::uint64_t seed : coact::test::seeds(5)) {
    INFO(coact::test::rerun_hint(seed, "build/dev/tests/workload/workload_tests"));
    auto r = run(abd_under_faults(), seed);
    REQUIRE(r);
    const report& out = r.value();
    CHECK(out.ok > 0);
    CHECK(out.failed + out.unknown > 0);  // 150 ms with 2 replicas of 5 up: no quorum
    CHECK(out.latencies.size() == 4 * 40);
    // The split cuts each of its 2 nodes from the 7 others, then the one-way cut.
    CHECK(out.network.partitions_started == 2 * 7 + 1);
    CHECK(out.network.lost_to_loss > 0);
    CHECK(out.network.duplicated > 0);
    const auto verdict = coact::check::check_linearizability(out.history);
    REQUIRE(verdict);
    INFO(verdict.value().explanation);
    CHECK(verdict.value().outcome == coact::check::verdict::linearizable);
  }
}

TEST_CASE("a scenario replays its history byte for byte from its seed", "[workload][sim]") {
  const auto json = [](std::uint64_t seed) {
    auto r = run(abd_under_faults(), seed);
    REQUIRE(r);
    std::ostringstream s;
    coact::check::write_json_lines(s, r.value().history);
    return s.str();
  };
  CHECK(json(3) == json(3));
  CHECK(json(3) != json(4));
}
