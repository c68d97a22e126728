// txn-2pc and txn-2pc-replicated in the simulator: list-append transactions over several
// groups are serializable (checked by the Elle-style checker); a bank keeps its money
// constant in every audit and loses no prepared transaction under crashes of participants
// and coordinators; and a coordinator that crashes between prepare and decision blocks the
// participants that voted yes, holding their locks, until it recovers (txn-2pc), or not at
// all (txn-2pc-replicated, whose decision is on a Raft group).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/check/bank.hpp"
#include "coact/check/serializability.hpp"
#include "coact/policies/txn/deployment.hpp"
#include "coact/policies/txn/placement.hpp"
#include "family.hpp"

namespace {

using namespace txn_test;

/// A decision learned by a participant that had voted yes.
struct decided {
  sim::node_id node;
  coact::duration blocked;
  bool commit;
};

/// An election won in the coordinator group.
struct election {
  sim::node_id node;
  std::uint64_t term;
};

/// txn-2pc (or txn-2pc-replicated), durable on the simulated disks, each decision appended
/// to `*seen` and each election won to `*won` (both must outlive the simulation).
workload::deploy_function deploy(std::vector<decided>* seen, bool replicated = false,
                                 std::vector<election>* won = nullptr) {
  return [seen, replicated, won](sim::world& w, const coact::kv::topology& nodes)
             -> coact::result<std::unique_ptr<coact::kv::deployment>> {
    txn::options o;
    o.seed = w.seed();
    o.storage = coact::kv::simulated_disks(w);
    o.replicated = replicated;
    // Timers scaled to the simulated network's 1 ms links.
    o.timing = {
        .election_timeout_min = 10ms, .election_timeout_max = 20ms, .heartbeat_period = 3ms};
    if (won != nullptr) {
      o.on_leader = [won](std::uint32_t node, std::uint64_t term) { won->push_back({node, term}); };
    }
    o.on_decided = [seen](std::uint32_t node, coact::duration blocked, bool commit) {
      seen->push_back({node, blocked, commit});
    };
    return txn::deploy(nodes, std::move(o));
  };
}

std::string serializability_of(const coact::check::history& h) {
  auto txns = coact::check::transactions_of(h);
  REQUIRE(txns);
  const auto report = coact::check::check_serializability(txns.value());
  return report.valid() ? std::string{} : coact::check::explain(report, txns.value());
}

/// Transactions that read or wrote keys of more than one group.
std::size_t spanning(const coact::check::history& h, std::size_t groups) {
  std::size_t n = 0;
  for (const auto& e : h) {
    if (e.type != coact::check::event_type::ok) continue;
    std::vector<bool> touched(groups);
    for (const auto& op : e.txn) {
      touched[txn::group_of(coact::check::to_string(op.key), groups)] = true;
    }
    if (std::count(touched.begin(), touched.end(), true) > 1) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("list-append transactions over three groups are serializable", "[txn][sim]") {
  const bool replicated = GENERATE(false, true);
  INFO((replicated ? "txn-2pc-replicated" : "txn-2pc"));
  for (const std::uint64_t seed : seeds(10)) {
    INFO(rerun_hint(seed));
    std::vector<decided> seen;
    workload::scenario s{.deploy = deploy(&seen, replicated)};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    REQUIRE(sim.value()->start_transactions({.keys = 5, .transactions = 25}));
    REQUIRE(run_until_done(*sim.value()));
    const auto h = sim.value()->history();
    CHECK(sim.value()->transactions().committed.load() > 25);
    CHECK(sim.value()->transactions().aborted.load() > 0);  // no-wait under contention
    CHECK(spanning(h, 3) > 3);
    CHECK(serializability_of(h).empty());
  }
}

TEST_CASE("a bank keeps its total under crashes, partitions and loss", "[txn][sim][bank]") {
  constexpr std::uint64_t accounts = 6;
  constexpr std::int64_t balance = 100;
  const bool replicated = GENERATE(false, true);
  INFO((replicated ? "txn-2pc-replicated" : "txn-2pc"));
  for (const std::uint64_t seed : seeds(10)) {
    INFO(rerun_hint(seed));
    std::vector<decided> seen;
    workload::nemesis faults;
    faults.crash(time_point{40ms}, 80ms, 0)
        .crash(time_point{150ms}, 60ms, 1)
        .crash(time_point{260ms}, 120ms, 2)
        .split(time_point{420ms}, 60ms, {1})
        .loss(time_point{500ms}, 100ms, 0.05);
    workload::scenario s{.deploy = deploy(&seen, replicated), .faults = faults};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    const workload::txn_work bank{.what = workload::txn_work::kind::bank,
                                  .keys = accounts,
                                  .transactions = 40,
                                  .initial_balance = balance,
                                  .audit = 0.3};
    REQUIRE(sim.value()->start_transactions(bank));
    REQUIRE(run_until_done(*sim.value()));
    const auto h = sim.value()->history();
    // The final audit committed: every transfer prepared before it learned its outcome.
    REQUIRE(!h.empty());
    CHECK(h.back().type == coact::check::event_type::ok);
    CHECK(h.back().txn.size() == accounts);
    const auto report = coact::check::check_bank(h, accounts, accounts * balance);
    REQUIRE(report);
    for (const auto& v : report.value().violations) FAIL_CHECK(v.reason);
    CHECK(report.value().audits > 5);
    CHECK(sim.value()->transactions().committed.load() > 30);
    for (const decided& d : seen) CHECK(d.blocked < 2s);
  }
}
TEST_CASE(
    "a coordinator crash between prepare and decision blocks the yes voters until it recovers",
    "[txn][sim][blocking]") {
  constexpr coact::duration down = 300ms;
  for (const std::uint64_t seed : seeds(5)) {
    INFO(rerun_hint(seed));
    std::vector<decided> seen;
    workload::scenario s{.deploy = deploy(&seen), .nodes = {.clients = {"dc1"}}};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    // The first transaction opens six accounts over the three groups; its coordinator is
    // the node that owns "a0".
    REQUIRE(sim.value()->start_transactions(
        {.what = workload::txn_work::kind::bank, .keys = 6, .transactions = 5, .audit = 0.5}));
    const auto coordinator = static_cast<sim::node_id>(txn::group_of("a0", 3));
    const auto voter = crash_once_prepared(sim.value()->world(), coordinator, 3, down);
    REQUIRE(voter);
    REQUIRE(run_until_done(*sim.value()));

    // The voter held its locks until the coordinator came back, learnt that the
    // transaction it had no commit record of aborted (presumed abort), and went on.
    const auto blocked =
        std::find_if(seen.begin(), seen.end(), [&](const decided& d) { return d.node == *voter; });
    REQUIRE(blocked != seen.end());
    CHECK_FALSE(blocked->commit);
    CHECK(blocked->blocked >= down);
    CHECK(blocked->blocked < down + 200ms);
    // Its client saw no answer: the outcome unknown, then the retry committed.
    const auto h = sim.value()->history();
    CHECK(std::count_if(h.begin(), h.end(), [](const coact::check::event& e) {
            return e.type == coact::check::event_type::info;
          }) >= 1);
    const auto report = coact::check::check_bank(h, 6, 600);
    REQUIRE(report);
    CHECK(report.value().valid());
    CHECK(sim.value()->transactions().committed.load() >= 4);
  }
}

TEST_CASE(
    "with replicated decisions a coordinator crash between prepare and decision blocks no one",
    "[txn][sim][blocking]") {
  constexpr coact::duration down = 300ms;
  for (const std::uint64_t seed : seeds(5)) {
    INFO(rerun_hint(seed));
    std::vector<decided> seen;
    std::vector<election> won;
    workload::scenario s{.deploy = deploy(&seen, true, &won), .nodes = {.clients = {"dc1"}}};
    auto sim = workload::simulation::make(s, seed);
    REQUIRE(sim);
    sim::world& w = sim.value()->world();
    // Clients start once the coordinator group has a leader.
    while (won.empty() && w.now() < time_point{1s}) w.run_for(1ms);
    REQUIRE(!won.empty());
    REQUIRE(sim.value()->start_transactions(
        {.what = workload::txn_work::kind::bank, .keys = 6, .transactions = 5, .audit = 0.5}));
    // Crash the leader as soon as a participant on another node has prepared.
    const sim::node_id coordinator = won.back().node;
    const auto voter = crash_once_prepared(w, coordinator, 3, down);
    REQUIRE(voter);
    REQUIRE(run_until_done(*sim.value()));

    // The voter learnt the outcome from the new leader long before the old one came back.
    const auto first =
        std::find_if(seen.begin(), seen.end(), [&](const decided& d) { return d.node == *voter; });
    REQUIRE(first != seen.end());
    CHECK(first->blocked < down / 2);
    CHECK(won.back().node != coordinator);
    const auto report = coact::check::check_bank(sim.value()->history(), 6, 600);
    REQUIRE(report);
    CHECK(report.value().valid());
    CHECK(sim.value()->transactions().committed.load() >= 4);
  }
}

TEST_CASE("an empty transaction is refused at the client", "[txn][sim]") {
  std::vector<decided> seen;
  workload::scenario s{.deploy = deploy(&seen), .nodes = {.clients = {"dc1"}}};
  auto sim = workload::simulation::make(s, 1);
  REQUIRE(sim);
  std::optional<std::error_code> refused;
  REQUIRE(sim.value()
              ->world()
              .system(sim.value()->client(0))
              ->spawn(
                  [](coact::actor_context& self, std::unique_ptr<coact::kv::client> client,
                     std::optional<std::error_code>* out) -> coact::task<void> {
                    auto* t = coact::kv::transactions_of(*client);
                    std::vector<coact::kv::txn_op> none;
                    auto done = co_await t->transact(self, std::move(none));
                    *out = done ? std::error_code{} : done.error();
                  },
                  sim.value()->deployment().make_client(sim.value()->client(0)), &refused));
  sim.value()->run_for(10ms);
  REQUIRE(refused);
  CHECK(*refused == coact::kv::kv_errc::empty_transaction);
  CHECK(coact::kv::certainly_not_applied(*refused));
}
