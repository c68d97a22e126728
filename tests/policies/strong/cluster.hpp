#pragma once

// A simulated strong-policy cluster for the tests: replicas on nodes 0..R-1, one client
// process per further node, each a kv::recording_client over one recorder, on coact's
// simulated network with optional loss, reordering, random partitions and replica
// crashes. Every random choice comes from the seed.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/check/history.hpp"
#include "coact/check/recorder.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/strong/deployment.hpp"
#include "coact/runtime/sim/world.hpp"
#include "sim_seeds.hpp"

namespace strong_test {

using namespace std::chrono_literals;
namespace sim = coact::sim;
namespace nsim = coact::net::sim;
namespace strong = coact::policies::strong;

/// What one client process does: `ops` random gets, puts of unique values and cases on
/// `keys`, each after a pause drawn from [0, think_max], starting at `start`.
struct workload {
  int ops = 30;
  coact::duration think_max = 3ms;
  coact::time_point start{5ms};
  std::vector<std::string> keys{"a", "b", "c"};
  double get_share = 0.4;
  double cas_share = 0.25;  // the rest are puts
};

enum class op { get, put, cas };

/// What one client process saw.
struct client_stats {
  int done = 0;
  std::array<int, 3> ok{};  // by op
  std::array<coact::duration, 3> ok_latency{};
  std::map<std::error_code, int> errors;
  [[nodiscard]] int ok_total() const { return ok[0] + ok[1] + ok[2]; }
};

/// An election won, as the policy's observer reported it.
struct election {
  coact::time_point at;
  sim::node_id node;
  std::uint64_t term;
};

struct cluster_settings {
  std::size_t replicas = 3;
  std::vector<workload> clients{4, workload{}};
  nsim::link_settings links{.delay = nsim::delay_distribution::lnkd_ssd()};
  /// Random partitions of every kind, over replicas and clients, until `faults_until`:
  /// quiet gaps and partitions of exponentially distributed lengths with these means.
  bool chaos = false;
  coact::duration partition_mean_between = 60ms;
  coact::duration partition_mean_length = 40ms;
  /// Replica crashes at random (exponential gaps of this mean), each replica restarted
  /// 10-100 ms later, until `faults_until`.
  bool crashes = false;
  coact::duration crash_mean_between = 120ms;
  coact::time_point faults_until{1500ms};
  /// Replicas keep their Raft state on their simulated disks.
  bool durable = true;
  /// The run stops when every client is done, or at this virtual time.
  coact::time_point limit{20s};
  strong::options policy = test_policy();

  /// Timers scaled to the simulated network's sub-millisecond delays.
  static strong::options test_policy();
};

class cluster {
 public:
  cluster(std::uint64_t seed, cluster_settings settings);
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;
  ~cluster();

  /// Runs until every client is done or the limit.
  void run();

  [[nodiscard]] sim::world& world() { return *world_; }
  [[nodiscard]] nsim::network& network() { return *network_; }
  [[nodiscard]] coact::check::history history() const { return log_->snapshot(); }
  [[nodiscard]] const std::vector<election>& elections() const { return elections_; }
  [[nodiscard]] const std::vector<client_stats>& stats() const { return stats_; }
  /// The node that won the latest election, if any.
  [[nodiscard]] std::optional<sim::node_id> leader() const;
  [[nodiscard]] sim::node_id client_node(std::size_t i) const {
    return static_cast<sim::node_id>(settings_.replicas + i);
  }
  /// Requests the clients sent, over all their operations.
  [[nodiscard]] std::uint64_t requests_sent() const;
  [[nodiscard]] bool finished() const { return running_ == 0; }
  /// Blocks every link between a node of `a` and a node of `b`, in both directions.
  void split(const std::vector<sim::node_id>& a, const std::vector<sim::node_id>& b);

 private:
  void schedule_crashes();

  cluster_settings settings_;
  std::vector<election> elections_;
  std::vector<client_stats> stats_;
  std::vector<std::unique_ptr<coact::kv::recording_client>> clients_;
  std::unique_ptr<coact::kv::deployment> deployment_;
  std::unique_ptr<coact::check::recorder> log_;
  std::shared_ptr<nsim::network> network_;
  std::unique_ptr<sim::world> world_;
  int running_ = 0;
};

/// The seeds to try, and how a failing one replays (tests/support/sim_seeds.hpp).
using coact::test::seeds;
inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/strong/strong_tests");
}
/// The history as JSON lines.
[[nodiscard]] std::string as_text(const coact::check::history& h);

}  // namespace strong_test
