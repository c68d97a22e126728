// spanner (txn with TrueTime) in the simulator, with per-node clock offsets and drift:
// with every clock's error inside ε, list-append and bank histories are externally
// consistent (commit timestamps agree with real time; every snapshot read sees exactly the
// commits at or below its timestamp) and serializable, and the bank's snapshot audits hold;
// with clock error beyond ε the same checker finds violations in some seeds. Bad settings
// and a snapshot read too far ahead are refused.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/deployment_base.hpp"
#include "coact/actors/kv_errc.hpp"
#include "coact/check/bank.hpp"
#include "coact/check/external_consistency.hpp"
#include "coact/check/serializability.hpp"
#include "coact/policies/txn/deployment.hpp"
#include "coact/policies/txn/txn.capnp.h"
#include "family.hpp"

namespace {

using namespace txn_test;

constexpr coact::duration epsilon = 4ms;

workload::deploy_function spanner() {
  return [](sim::world& w, const coact::kv::topology& nodes)
             -> coact::result<std::unique_ptr<coact::kv::deployment>> {
    txn::options o;
    o.seed = w.seed();
    o.storage = coact::kv::simulated_disks(w);
    o.epsilon = epsilon;
    return txn::deploy(nodes, std::move(o));
  };
}

/// Every node's clock off by a random offset in [-bound, bound] and drifting up to 50 ppm
/// either way, from `seed`.
workload::nemesis skewed(std::uint64_t seed, std::size_t nodes, coact::duration bound) {
  coact::prng random = coact::prng{seed}.split("skews");
  workload::nemesis faults;
  for (sim::node_id n = 0; n < nodes; ++n) {
    faults.skew(n, coact::duration{random.between(-bound.count(), bound.count())},
                static_cast<double>(random.between(-50, 50)));
  }
  return faults;
}

/// The external-consistency verdict on `h`, as text (empty: consistent).
std::string external_of(const coact::check::history& h, std::size_t* read_only = nullptr) {
  auto txns = coact::check::transactions_of(h);
  REQUIRE(txns);
  if (read_only != nullptr) {
    *read_only = 0;
    for (const auto& t : txns.value()) {
      const bool reads = std::all_of(t.ops.begin(), t.ops.end(), [](const auto& op) {
        return op.f == coact::check::micro_op::kind::read;
      });
      if (reads && t.outcome == coact::check::event_type::ok) ++*read_only;
    }
  }
  std::string why;
  const auto report = coact::check::check_external_consistency(txns.value(), &why);
  REQUIRE(report);
  return report.value().valid() ? std::string{} : coact::check::explain(report.value());
}

}  // namespace

TEST_CASE("spanner: within epsilon, list-append histories are externally consistent",
          "[spanner][sim]") {
  for (const std::uint64_t seed : seeds(10)) {
    INFO(rerun_hint(seed));
    workload::scenario s{.deploy = spanner(), .faults = skewed(seed, 7, epsilon / 2)};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    REQUIRE(sim.value()->start_transactions({.keys = 5, .transactions = 25}));
    REQUIRE(run_until_done(*sim.value()));
    const auto h = sim.value()->history();
    std::size_t snapshots = 0;
    const std::string verdict = external_of(h, &snapshots);
    INFO(verdict);
    CHECK(verdict.empty());
    CHECK(snapshots > 5);
    auto txns = coact::check::transactions_of(h);
    REQUIRE(txns);
    CHECK(coact::check::check_serializability(txns.value()).valid());
  }
}

TEST_CASE("spanner: a bank's snapshot audits hold under crashes with skewed clocks",
          "[spanner][sim][bank]") {
  for (const std::uint64_t seed : seeds(8)) {
    INFO(rerun_hint(seed));
    workload::nemesis faults = skewed(seed, 7, epsilon / 2);
    faults.crash(time_point{60ms}, 80ms, 1).crash(time_point{250ms}, 60ms, 2);
    workload::scenario s{.deploy = spanner(), .faults = faults};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    REQUIRE(sim.value()->start_transactions(
        {.what = workload::txn_work::kind::bank, .keys = 6, .transactions = 30, .audit = 0.4}));
    REQUIRE(run_until_done(*sim.value()));
    const auto report = coact::check::check_bank(sim.value()->history(), 6, 600);
    REQUIRE(report);
    for (const auto& v : report.value().violations) FAIL_CHECK(v.reason);
    CHECK(report.value().audits > 10);
  }
}

TEST_CASE("spanner: with clock error beyond epsilon, external consistency fails in some seeds",
          "[spanner][sim]") {
  std::size_t broken = 0;
  for (const std::uint64_t seed : coact::test::search_seeds(10)) {
    INFO(rerun_hint(seed));
    // Clocks off by up to 15 epsilon: a coordinator far behind gives a later transaction a
    // timestamp below an earlier one's.
    workload::scenario s{.deploy = spanner(), .faults = skewed(seed, 7, 15 * epsilon)};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    REQUIRE(sim.value()->start_transactions({.keys = 5, .transactions = 25}));
    REQUIRE(run_until_done(*sim.value()));
    if (!external_of(sim.value()->history()).empty()) ++broken;
  }
  CHECK(broken > 0);
}

TEST_CASE("spanner: bad settings and a snapshot too far ahead are refused", "[spanner]") {
  const coact::kv::topology where{.replicas = {{.node = 0, .name = "a"}}};
  txn::options zero;
  zero.epsilon = 0ms;
  CHECK(txn::deploy(where, zero).error() == coact::errc::invalid_argument);
  txn::options both;
  both.epsilon = 1ms;
  both.replicated = true;
  CHECK(txn::deploy(where, both).error() == coact::errc::invalid_argument);

  // A ReadAt a minute ahead of now, asked of a participant directly.
  workload::scenario s{.deploy = spanner(), .nodes = {.clients = {"dc1"}}};
  auto sim = workload::simulation::make(s, 1);
  REQUIRE(sim);
  const auto& base = dynamic_cast<const coact::kv::deployment_base&>(sim.value()->deployment());
  const coact::actor_ref participant = base.directory().get(0, txn::participant_role);
  std::optional<bool> refused;
  REQUIRE(sim.value()
              ->world()
              .system(sim.value()->client(0))
              ->spawn(
                  [](coact::actor_context& self, coact::actor_ref to,
                     std::optional<bool>* out) -> coact::task<void> {
                    coact::message<txn::proto::ReadAt> read;
                    read->setTimestamp(static_cast<std::uint64_t>(
                        (self.now() + std::chrono::minutes{1}).since_epoch.count()));
                    read->initKeys(1).set(0, "k0");
                    auto answer =
                        co_await self.ask<txn::proto::Snapshot>(to, std::move(read), 100ms);
                    *out = answer && answer.value().get<txn::proto::Snapshot>().isRefused() &&
                           answer.value().get<txn::proto::Snapshot>().getRefused() ==
                               txn::proto::Refusal::TOO_FAR_AHEAD;
                  },
                  participant, &refused));
  sim.value()->run_for(50ms);
  REQUIRE(refused);
  CHECK(*refused);
}
