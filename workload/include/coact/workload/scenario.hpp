#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/check/history.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/runtime/sim/world.hpp"
#include "coact/workload/core_workload.hpp"
#include "coact/workload/nemesis.hpp"

namespace coact::workload {

/// Sets a policy up on the scenario's nodes, in its world (for simulated disks). Called
/// once, before any node boots.
using deploy_function = std::function<result<std::unique_ptr<kv::deployment>>(
    sim::world& world, const kv::topology& nodes)>;
/// Makes the client of one client node (its `home`); the deployment's make_client by default.
using client_function =
    std::function<std::unique_ptr<kv::client>(kv::deployment& policy, sim::node_id home)>;

/// The nodes of a scenario: replica nodes first (0, 1, ...), then client nodes.
struct topology {
  /// The datacenter of each replica node.
  std::vector<std::string> replicas{"dc1", "dc1", "dc1"};
  /// The datacenter of each client node; each runs one client.
  std::vector<std::string> clients{"dc1", "dc1", "dc1", "dc1"};
  /// Every link's settings, unless a nemesis changes them.
  net::sim::link_settings links;
};

/// How a closed-loop client draws its pause before each request.
enum class think_distribution : std::uint8_t {
  uniform,      ///< uniform in [0, think_max]
  exponential,  ///< exponential of mean think_mean (0: none), so that clients drift out of step
};

/// What each client does: `operations` requests of `requests`, over keys "k0", "k1", ...
/// (`record_count` of them at first, none written yet; inserts add keys). Each write
/// writes a value no other write writes, so that checkers can tell which write a read saw.
struct work {
  core_workload requests;
  std::uint64_t record_count = 2;
  std::uint32_t operations = 30;
  /// Open loop: each client's requests are due 1/rate apart from a random phase, and a
  /// latency counts from when its request was due, not sent (no coordinated omission).
  /// 0: closed loop, each request after the last one's answer and a pause.
  double rate_per_s = 0;
  /// Closed loop: the pause before each request, drawn by `think`.
  think_distribution think = think_distribution::uniform;
  duration think_max = std::chrono::milliseconds{3};
  duration think_mean{0};
  client_function make_client;
};

/// A scenario: a policy on a topology, clients doing some work, and faults. Run by seed:
/// the same seed gives the same history, byte for byte.
struct scenario {
  deploy_function deploy;
  workload::topology nodes;
  workload::work work;
  workload::nemesis faults;
  /// Virtual time to run for.
  duration length = std::chrono::seconds{3};
};

/// What a run recorded.
struct report {
  check::history history;
  /// Completions: ok, fail (certainly not applied) and info (outcome unknown).
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t unknown = 0;
  /// Each request's latency (a read-modify-write's get and put as one, a
  /// compare-and-set's get and cas too), in completion order.
  std::vector<duration> latencies;
  net::sim::network_counters network;
  /// Events the world ran.
  std::uint64_t events = 0;
};

/// Runs `s` with `seed` for s.length. Errors: those of simulation::make and start, with
/// `*why` (when not null) saying what was refused.
[[nodiscard]] result<report> run(const scenario& s, std::uint64_t seed, std::string* why = nullptr);

}  // namespace coact::workload
