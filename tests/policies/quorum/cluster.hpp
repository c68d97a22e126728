#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/versioned_map.hpp"
#include "coact/check/history.hpp"
#include "coact/check/recorder.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "coact/runtime/sim/world.hpp"
#include "sim_seeds.hpp"

namespace quorum_test {

namespace quorum = coact::policies::quorum;
namespace sim = coact::sim;
namespace nsim = coact::net::sim;
using namespace std::chrono_literals;

/// What a simulated quorum cluster is made of.
struct cluster_options {
  /// The datacenter of each replica node (nodes 0, 1, ...).
  std::vector<std::string> replicas{"dc1", "dc1", "dc1"};
  /// The datacenter of each client node (numbered after the replica nodes).
  std::vector<std::string> clients{"dc1", "dc1", "dc1", "dc1"};
  quorum::options policy;
  /// Replicas keep a durable log on their node's simulated disk.
  bool durable = false;
  /// Every link's settings.
  nsim::link_settings links;
};

/// What each client of a workload does: `operations` reads and writes of `keys` (each
/// write of a value no other write writes), `pause_max` apart at most.
struct workload {
  int operations = 30;
  std::vector<std::string> keys{"x", "y"};
  double read_fraction = 0.5;
  coact::duration pause_max = 3ms;
};

/// What a probe read straight from one replica's storage actor.
struct probe_result {
  bool answered = false;
  std::optional<coact::kv::stored_value> value;
};

/// A simulated world running the quorum policy on replica nodes, with client nodes that run
/// recorded workloads, over coact's simulated network. One seed replays it exactly.
class cluster {
 public:
  /// Fails the test (REQUIRE) if the policy refuses the options.
  cluster(std::uint64_t seed, cluster_options options);

  [[nodiscard]] sim::world& world() noexcept { return world_; }
  [[nodiscard]] nsim::network& network() noexcept { return *network_; }
  [[nodiscard]] quorum::deployment& policy() noexcept { return *policy_; }
  [[nodiscard]] sim::node_id replica(std::size_t i) const noexcept {
    return static_cast<sim::node_id>(i);
  }
  [[nodiscard]] sim::node_id client(std::size_t i) const noexcept {
    return static_cast<sim::node_id>(replica_count_ + i);
  }
  [[nodiscard]] std::size_t client_count() const noexcept { return client_count_; }

  /// Starts one recorded client per client node, at `levels`, each its own process.
  void start_workload(const workload& w, quorum::levels levels);
  /// Reads `key` from replica `i`'s storage actor at true time `t`, from the first client
  /// node; the result fills in when the probe has run (retried a few times if lost).
  [[nodiscard]] std::shared_ptr<std::optional<probe_result>> probe_at(coact::time_point t,
                                                                      std::size_t i,
                                                                      std::string key);
  /// Runs the world for `d` of virtual time.
  void run_for(coact::duration d) { world_.run_for(d); }

  [[nodiscard]] coact::check::history history() const { return log_->snapshot(); }

 private:
  std::size_t replica_count_;
  std::size_t client_count_;
  std::shared_ptr<nsim::network> network_;
  std::unique_ptr<quorum::deployment> policy_;
  std::unique_ptr<coact::check::recorder> log_;
  // Last, so that it goes first: no actor outlives what it refers to.
  sim::world world_;
  std::int64_t next_process_ = 1;
};

/// The seeds to try, and how a failing one replays (tests/support/sim_seeds.hpp).
using coact::test::seeds;
inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/quorum/quorum_tests");
}

/// Jittery links: delays uniform in [0.1, 3] ms, reordering, `loss` lost.
[[nodiscard]] nsim::link_settings jittery(double loss);

/// Links with a slow tail: delays mostly 0.1-1 ms, one in four 5-20 ms (some writes reach a
/// replica long after the others), reordering, `loss` lost.
[[nodiscard]] nsim::link_settings slow_tail(double loss);

}  // namespace quorum_test
