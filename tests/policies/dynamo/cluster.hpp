#pragma once

// A simulated dynamo deployment for the tests: replicas on nodes 0..R-1 (partition p on
// nodes p, p+1, p+2), one client process per further node, on coact's simulated network
// with loss, reordering and random partitions, and with the leaders of random partitions
// crashed and restarted. Each client process records its writes and consistent reads as
// process p and its eventually consistent reads as process eventual_base + p, into one
// history. After the faults the run goes quiet, and then every replica's state is read.
// Every random choice comes from the seed.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/dynamo/deployment.hpp"
#include "coact/policies/dynamo/replica_status.hpp"
#include "sim_seeds.hpp"

namespace dynamo_test {

using namespace std::chrono_literals;
namespace sim = coact::sim;
namespace nsim = coact::net::sim;
namespace kv = coact::kv;
namespace dynamo = coact::policies::dynamo;

/// The process number of a client's eventually consistent reads is this plus its own.
inline constexpr std::int64_t eventual_base = 100;

/// What each client process does: operations on `keys` after pauses drawn from
/// [0, think_max], from `start` until `ops` are done or `stop` has passed.
struct workload {
  int ops = 300;
  coact::duration think_max = 12ms;
  coact::time_point start{600ms};
  coact::time_point stop{3s};
  std::vector<std::string> keys{"a", "b", "c", "d", "e", "f", "g", "h"};
  double put_share = 0.3;
  double cas_share = 0.1;
  double consistent_read_share = 0.3;  // the rest are eventually consistent reads
};

struct cluster_settings {
  std::uint64_t seed = 1;
  std::size_t replicas = 5;
  std::size_t clients = 4;
  workload work;
  nsim::link_settings links{
      .delay = nsim::delay_distribution::lnkd_ssd(), .loss_probability = 0.02, .fifo = false};
  /// Random partitions of every kind, over replicas and clients, until faults_until.
  bool chaos = true;
  nsim::chaos_options chaos_shape{.mean_between = 400ms, .mean_length = 300ms};
  /// The leader of a random partition crashed every crash_mean_between on average (one
  /// crash at a time), restarted after [crash_length_min, crash_length_max].
  bool leader_crashes = true;
  coact::duration crash_mean_between = 400ms;
  coact::duration crash_length_min = 100ms;
  coact::duration crash_length_max = 500ms;
  /// How long after a restart the next crash may come at the earliest.
  coact::duration settle = 0ms;
  /// The share of those crashes that also take down a follower of that partition (the
  /// partition then has one replica left until they restart).
  double double_crash_share = 0;
  coact::time_point faults_until{3s};
  /// Replicas keep their logs on their simulated disks.
  bool durable = true;
  /// How long the run stays quiet (no faults, no loss, no clients) before the replicas'
  /// states are read.
  coact::duration quiet = 2s;
};

/// Everything one run produced.
struct outcome {
  coact::check::history history;
  /// Every replica's status after the quiet time, by partition (a replica that did not
  /// answer is missing).
  std::map<std::uint32_t, std::vector<dynamo::replica_status>> statuses;
  /// Then, for every key, an eventually consistent read at each replica of its partition
  /// (by node; empty when it failed), and a consistent read.
  std::map<std::string, std::map<std::uint32_t, std::optional<kv::read_result>>> replica_reads;
  std::map<std::string, std::optional<kv::read_result>> consistent_reads;
  bool collected = false;
  int clients_done = 0;
  /// Crashes of a node a watcher had just seen lead a partition, and of a follower with it.
  int leader_crashes = 0;
  int follower_crashes = 0;
  /// The (partition, term) pairs in which a leader was seen.
  std::set<std::pair<std::uint32_t, std::uint64_t>> leaders_seen;
  std::uint64_t partitions_started = 0;
  /// Messages the network delivered twice.
  std::uint64_t duplicated = 0;
  std::uint32_t partition_count = 0;
};

/// One simulated run.
[[nodiscard]] outcome run(const cluster_settings& settings);

/// The history's writes and consistent reads: every event of the processes below
/// eventual_base.
[[nodiscard]] coact::check::history strong_part(const coact::check::history& h);
/// The history's events on the keys of partition `p` under the test layout.
[[nodiscard]] coact::check::history partition_part(const coact::check::history& h,
                                                   const dynamo::partitioning& layout,
                                                   std::uint32_t p);
/// The layout the runs use, for `replicas` replica nodes.
[[nodiscard]] dynamo::partitioning test_layout(std::size_t replicas);
/// The replica's name in check::replica_states: "r<node>".
[[nodiscard]] std::string replica_name(std::uint32_t node);

/// The seeds to try, and how a failing one replays (tests/support/sim_seeds.hpp).
using coact::test::seeds;
inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/dynamo/dynamo_tests");
}

}  // namespace dynamo_test
