#pragma once

// A simulated replica set for the read-concern tests: three members, client sessions on
// nodes of their own, a recorded history, and faults (random partitions, loss, reordering,
// the primary crashed and restarted, paused, or cut off from the other members for a while).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "coact/actors/kv_client.hpp"
#include "coact/check/history.hpp"
#include "coact/check/session_guarantees.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "sim_seeds.hpp"

namespace coact::test::read_concern {

namespace rc = coact::policies::read_concern;
using namespace std::chrono_literals;

/// One client session: its concerns and read preference, and how much it reads.
struct session_plan {
  rc::session_options options;
  /// The share of its operations that are reads.
  double read_share = 0.5;
};

/// One simulated run.
struct scenario {
  std::uint64_t seed = 1;
  /// The replica set's settings (storage and seed are filled in by run_scenario).
  rc::options set;
  /// One client session per entry, each on its own node.
  std::vector<session_plan> sessions;
  /// With think_max, long enough that the sessions work through every fault.
  int ops_per_session = 80;
  int keys = 3;
  /// Of the writes, the share that are cas (expecting the last value the session saw).
  double cas_share = 0;
  /// The longest pause before each operation.
  duration think_max = 20ms;
  /// Members keep their term, vote and oplog on their simulated disk.
  bool durable = true;
  /// Random partitions of every kind, until `faults_until`.
  bool chaos = true;
  /// Every link's delay (the default: LNKD-SSD of the PBS paper, 0.235 ms and up).
  net::sim::delay_distribution delay = net::sim::delay_distribution::lnkd_ssd();
  double loss = 0.02;
  /// The probability that a message arrives twice (client requests and replication alike).
  double duplication = 0;
  bool fifo = false;
  /// When the primary of the moment is crashed, and for how long it stays down.
  std::vector<duration> crash_primary_at;
  duration down_for = 150ms;
  /// When the primary of the moment is cut off from the other members (clients still
  /// reach it), and for how long.
  std::vector<duration> cut_primary_at;
  duration cut_for = 400ms;
  /// The sessions whose nodes are cut off from that primary too (the others still reach it).
  std::vector<std::size_t> cut_sessions;
  /// When the primary of the moment is paused (a long GC pause: it does nothing, messages
  /// to it wait), and for how long.
  std::vector<duration> pause_primary_at;
  duration pause_for = 150ms;
  duration faults_until = 1500ms;
  /// When each key is read once more at majority (by a fresh session, at the primary),
  /// long after the faults ended; later if a session is not done by then.
  duration final_read_at = 2500ms;
  duration run_for = 3000ms;
};

/// What a run left behind.
struct outcome {
  check::history history;
  std::vector<rc::rolled_back_write> rolled_back;
  /// The final majority read of each key that succeeded.
  std::map<std::string, kv::read_result> final_reads;
  /// What each member last published of itself, by node.
  std::vector<rc::member_status> members;
  /// The highest term any member reached.
  std::uint64_t max_term = 0;
  std::size_t crashes = 0;
  std::size_t cuts = 0;
  std::size_t pauses = 0;
  net::sim::network_counters network;
};

outcome run_scenario(const scenario& s);

/// Asserts (Catch2) that `history` is linearizable, with the checker's explanation when not.
void check_linearizable(const check::history& history);

/// Asserts (Catch2) that `history` keeps every session guarantee, naming the violations
/// when not; the report.
check::session_report check_sessions(const check::history& history);

/// A session report's violations (the first three), for a failed assertion's message.
std::string describe(const check::session_report& report);

/// The seeds to try, and how a failing one replays (tests/support/sim_seeds.hpp).
using coact::test::seeds;
inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/read_concern/read_concern_tests");
}

}  // namespace coact::test::read_concern
