// The benchmark's clients (the workload library's YCSB client) and their runners, over the
// single-replica test double: every client runs its operations and records them, the mix
// and the latencies are those configured, the policy's write requests take the delay
// model's write distribution, datacenters are apart by the WAN delay, lost messages fail
// operations without losing them from the history, the same seed replays the same
// history, bad work is refused, and the same clients run over loopback TCP.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include "bench_topology.hpp"
#include "client_load.hpp"
#include "coact/check/history_json.hpp"
#include "coact/check/linearizability.hpp"
#include "policy_catalog.hpp"
#include "recorded_run.hpp"
#include "run_summary.hpp"
#include "sim_run.hpp"
#include "sim_seeds.hpp"
#include "single_replica.hpp"
#include "tcp_run.hpp"

using namespace coact::bench;
using coact::bench::test::recorded_sim_run;
using coact::bench::test::recorded_tcp_run;
using coact::check::event_type;
using coact::check::op_kind;

namespace {

const policy_variant& single() {
  static const policy_variant v = policy_catalog().front();
  return v;
}

/// Writes take `write_ms` each way of their request, everything else 1 ms.
delay_model fixed_delays(double write_ms) {
  using coact::net::sim::delay_distribution;
  return {
      "fixed",
      {delay_distribution::constant(write_ms).value(), delay_distribution::constant(1).value()}};
}

/// 4 clients x 50 operations, 70% gets, over 20 zipfian keys, 2 ms mean think time.
client_load small_load() {
  client_load load{.client_count = 4};
  load.work.requests.read = 0.7;
  load.work.requests.update = 0.3;
  load.work.record_count = 20;
  load.work.operations = 50;
  load.work.think_mean = std::chrono::milliseconds{2};
  return load;
}

}  // namespace

// Proves every client runs all its operations, each recorded once and completed ok, with
// the configured read fraction, keys from the key space and a fresh value per put; the
// double is linearizable, so no read is stale; a read costs two 1 ms hops and a write
// request its own 5 ms delay plus a 1 ms ack.
TEST_CASE("clients run the workload in the simulator", "[bench][sim]") {
  const auto w = small_load();
  const auto topology = bench_topology::make(3, 1).value();
  std::size_t reads = 0;
  std::size_t total = 0;
  for (const std::uint64_t seed : coact::test::seeds(10)) {
    INFO(coact::test::rerun_hint(seed, "build/dev/bench/patterns/patterns_tests"));
    const auto run =
        recorded_sim_run(single(), topology, w, {.delays = fixed_delays(5), .seed = seed}).value();
    const auto ops = coact::check::pair_operations(run).value();
    REQUIRE(ops.size() == 4 * 50);
    std::set<std::string> values;
    for (const auto& op : ops) {
      CHECK(op.outcome == event_type::ok);
      CHECK(op.key.size() >= 2);
      CHECK(std::stoull(op.key.substr(1)) < 20);
      const double ms = static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6;
      if (op.f == op_kind::read) {
        ++reads;
        CHECK(ms == Approx(2));
      } else {
        REQUIRE(op.f == op_kind::write);
        CHECK(values.insert(std::get<std::string>(op.argument)).second);
        CHECK(ms == Approx(6));
      }
    }
    total += ops.size();
    const auto summary = summarise(run).value();
    CHECK(summary.stale_fraction == 0);
    CHECK(summary.reads.failed_count + summary.writes.failed_count == 0);
    CHECK(coact::check::check_linearizability(run).value().outcome ==
          coact::check::verdict::linearizable);
  }
  const double fraction = static_cast<double>(reads) / static_cast<double>(total);
  CHECK(fraction == Approx(0.7).margin(5 * std::sqrt(0.21 / static_cast<double>(total))));
}

// Proves the same seed replays the same history, event for event, and another seed does
// not, over the PBS YMMR model's heavy tails.
TEST_CASE("the same seed replays the same run", "[bench][sim]") {
  const auto w = small_load();
  const auto topology = bench_topology::make(3, 1).value();
  const auto model = parse_delay_model("ymmr").value();
  const auto text = [&](std::uint64_t seed) {
    const auto run =
        recorded_sim_run(single(), topology, w, {.delays = model, .seed = seed}).value();
    std::string out;
    for (const auto& e : run) out += coact::check::to_json_line(e) + "\n";
    return out;
  };
  CHECK(text(5) == text(5));
  CHECK(text(5) != text(6));
}

// Proves clients of the second datacenter pay the WAN delay both ways to the replica of
// the first, and clients of the first do not.
TEST_CASE("datacenters are apart by the WAN delay", "[bench][sim]") {
  const auto w = small_load();
  const auto topology = bench_topology::make(3, 2).value();
  REQUIRE(topology.replicas.replicas.front().datacenter == "dc1");
  REQUIRE(topology.clients().size() == 2);
  const auto run = recorded_sim_run(single(), topology, w,
                                    {.delays = fixed_delays(1), .wan_delay_ms = 20, .seed = 1})
                       .value();
  const auto ops = coact::check::pair_operations(run).value();
  REQUIRE(ops.size() == 4 * 50);
  for (const auto& op : ops) {
    const double ms = static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6;
    // Clients alternate between the client nodes: even processes in dc1, odd in dc2.
    if (op.process % 2 == 0) {
      CHECK(ms == Approx(2));
    } else {
      CHECK(ms >= 36);
      CHECK(ms <= 44);
    }
  }
}

// Proves a lossy network fails operations without losing them: every operation is in the
// history (a read whose message was lost as fail, a write as info: it may have been
// applied), some fail, the rest complete, and the double stays linearizable and fresh.
TEST_CASE("lost messages fail operations, recorded", "[bench][sim]") {
  auto w = small_load();
  w.work.operations = 30;
  const auto topology = bench_topology::make(3, 1).value();
  std::size_t failed = 0;
  std::size_t total = 0;
  for (const std::uint64_t seed : coact::test::seeds(10)) {
    INFO(coact::test::rerun_hint(seed, "build/dev/bench/patterns/patterns_tests"));
    const auto run =
        recorded_sim_run(single(), topology, w,
                         {.delays = fixed_delays(1), .loss_probability = 0.05, .seed = seed})
            .value();
    const auto ops = coact::check::pair_operations(run).value();
    REQUIRE(ops.size() == 4 * 30);
    total += ops.size();
    for (const auto& op : ops) {
      if (op.outcome == event_type::ok) continue;
      ++failed;
      CHECK(op.outcome == (op.f == op_kind::read ? event_type::fail : event_type::info));
    }
    const auto summary = summarise(run).value();
    CHECK(summary.stale_fraction == 0);
    CHECK(summary.unjudged_reads == 0);
    CHECK(coact::check::check_linearizability(run).value().outcome ==
          coact::check::verdict::linearizable);
  }
  // Each operation loses one of its two messages with probability 1 - 0.95^2 = 9.75%;
  // within 5 standard errors, whatever number of seeds COACT_SIM_SEEDS chose.
  const double rate = static_cast<double>(failed) / static_cast<double>(total);
  CHECK(rate == Approx(0.0975).margin(5 * std::sqrt(0.0975 * 0.9025 / static_cast<double>(total))));
  CHECK(run_in_sim(single(), topology, w, {.delays = fixed_delays(1), .loss_probability = 2},
                   [](const coact::check::event&) {})
            .error() == coact::errc::invalid_argument);
}

// Proves bad topologies and workloads are refused.
TEST_CASE("bad workloads and topologies are refused", "[bench]") {
  const auto topology = bench_topology::make(3, 1).value();
  const auto refused = [&](const client_load& load) {
    const auto ignore = [](const coact::check::event&) {};
    return run_in_sim(single(), topology, load, {}, ignore).error() ==
               coact::errc::invalid_argument &&
           run_over_tcp(single(), topology, load, {}, ignore).error() ==
               coact::errc::invalid_argument;
  };
  auto w = small_load();
  w.work.requests.update = -0.5;
  CHECK(refused(w));
  w = small_load();
  w.work.think_mean = std::chrono::milliseconds{-1};
  CHECK(refused(w));
  w = small_load();
  w.work.requests.zipfian_constant = 1;
  CHECK(refused(w));
  CHECK(bench_topology::make(2, 3).error() == coact::errc::invalid_argument);
  CHECK(bench_topology::make(3, 0).error() == coact::errc::invalid_argument);
  CHECK(parse_delay_model("lnkd").error() == coact::errc::invalid_argument);
  CHECK(parse_delay_model("uniform:3").error() == coact::errc::invalid_argument);
  CHECK(parse_delay_model("constant:-1").error() == coact::errc::invalid_argument);
  CHECK(parse_delay_model("exponential:0.5").value().delays.write.mean_ms() == Approx(2));
}

// Proves the same workload runs on the threaded runtime over loopback TCP: every
// operation completes ok and no read is stale.
TEST_CASE("clients run the workload over loopback TCP", "[bench][tcp]") {
  auto w = small_load();
  w.work.operations = 20;
  const auto run = recorded_tcp_run(single(), bench_topology::make(3, 1).value(), w, {});
  REQUIRE(run);
  const auto summary = summarise(run.value()).value();
  CHECK(summary.reads.ok_count + summary.writes.ok_count == 4 * 20);
  CHECK(summary.stale_fraction == 0);
  CHECK(summary.reads.p50_ms > 0);
}
