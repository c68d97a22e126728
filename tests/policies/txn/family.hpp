#pragma once

// What the txn family's simulator tests share: the seeds and how a failing one replays,
// running until every transactional client is done, and crashing a coordinator between a
// transaction's prepare and its decision.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "coact/policies/txn/participant.hpp"
#include "coact/workload/simulation.hpp"
#include "sim_seeds.hpp"

namespace txn_test {

namespace txn = coact::policies::txn;
namespace workload = coact::workload;
namespace sim = coact::sim;
using namespace std::chrono_literals;
using coact::time_point;
using coact::test::seeds;

inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/txn/txn_tests");
}

/// Runs `s` until its transactional clients are done, or virtual time 30 s; whether they are.
inline bool run_until_done(workload::simulation& s) {
  while (s.transactions().done.load() < s.client_count() && s.world().now() < time_point{30s}) {
    s.run_for(10ms);
  }
  return s.transactions().done.load() == s.client_count();
}

/// Crashes node `coordinator` for `down` as soon as a participant on another of the first
/// `groups` nodes has written a prepare record: its vote is still on the wire (links take
/// 1 ms), so nothing was decided. That participant, or none within a virtual second.
inline std::optional<sim::node_id> crash_once_prepared(sim::world& w, sim::node_id coordinator,
                                                       sim::node_id groups, coact::duration down) {
  std::optional<sim::node_id> voter;
  while (!voter && w.now() < time_point{1s}) {
    w.run_for(100us);
    for (sim::node_id n = 0; n < groups; ++n) {
      if (n != coordinator && !w.disk(n).read("participant.log").empty()) voter = n;
    }
  }
  if (!voter) return voter;
  w.crash(coordinator);
  w.at(w.now() + down, [&w, coordinator] { w.restart(coordinator); });
  return voter;
}

}  // namespace txn_test
