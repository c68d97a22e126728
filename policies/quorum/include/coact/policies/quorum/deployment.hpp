#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/policies/quorum/client.hpp"
#include "coact/policies/quorum/level.hpp"
#include "coact/policies/quorum/placement.hpp"
#include "coact/runtime/result.hpp"

namespace coact::sim {
class world;
}

namespace coact::policies::quorum {

/// Where a replica node keeps its durable log; null: the replica is volatile.
using storage_function = std::function<std::unique_ptr<kv::log_storage>(std::uint32_t node)>;

/// How a quorum deployment is set up.
struct options {
  /// Replicas per datacenter of each key; empty: every member holds every key. A
  /// datacenter of the topology left out holds no replicas (its coordinators still serve).
  replication factors;
  /// The levels of the clients make_client makes.
  levels defaults;
  /// Blocking read repair (Cassandra 4's): on by default.
  bool read_repair = true;
  /// ABD write-back of every read's value at the client's write level: off by default.
  bool write_back = false;
  /// Durable replicas: each writes a log through this; empty: volatile replicas.
  storage_function storage;
  /// How long one replica may take to answer one ask of a coordinator.
  duration replica_timeout = std::chrono::milliseconds{100};
  /// How long a client waits for its coordinator (beyond two replica timeouts: the read
  /// and its write-back).
  duration client_timeout = std::chrono::milliseconds{500};
  /// How often coordinators replay their hints.
  duration hint_interval = std::chrono::milliseconds{100};
  /// Hints one coordinator keeps, and replays it has in flight at once.
  std::size_t hints_max = 100'000;
  std::size_t hint_replays_max = 64;
};

/// Durable replicas on a simulated world's disks: node n's log is file `file` of
/// w.disk(n). `w` must outlive the deployment's replicas.
[[nodiscard]] storage_function simulated_disks(sim::world& w, std::string file = "quorum.log");

/// The quorum policy (Cassandra-like) on a topology: each member runs a storage replica
/// (coact::kv::replica) and a coordinator. Clients send each request to a coordinator of
/// their datacenter at a consistency level; last writer wins by coordinator timestamp;
/// blocking read repair, optional write-back, hinted handoff. See README.md.
class deployment final : public kv::deployment {
 public:
  /// Use deploy(), which checks the options.
  deployment(std::shared_ptr<const placement> layout, options o);

  [[nodiscard]] const kv::descriptor& describe() const override { return descriptor_; }
  /// Spawns node `node`'s replica and coordinator and records them in the directory;
  /// `node` must be a member. Throws std::system_error if the system refuses to spawn.
  void boot(actor_system& system, std::uint32_t node) override;
  /// A client at the default levels, in `home`'s datacenter: a replica's, a client node's
  /// (topology::clients), else the first replica's.
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override;
  /// A client at `defaults`, in `datacenter` (empty: as make_client(home)); requests go
  /// to `home`'s coordinator if it is a member of that datacenter, else to the
  /// datacenter's coordinators in turn, starting at `home`. `datacenter` must have members.
  [[nodiscard]] std::unique_ptr<client> make_quorum_client(std::uint32_t home, levels defaults,
                                                           const std::string& datacenter = {});

  /// The actors' current references, by (node, replica_role or coordinator_role).
  [[nodiscard]] const kv::directory& directory() const noexcept { return *refs_; }
  [[nodiscard]] const placement& layout() const noexcept { return *layout_; }

 private:
  std::shared_ptr<const placement> layout_;
  options options_;
  std::shared_ptr<kv::directory> refs_ = std::make_shared<kv::directory>();
  kv::descriptor descriptor_;
};

/// Sets the policy up on `nodes`. errc::invalid_argument when the topology is empty or
/// names a node twice, a factor is 0, names no datacenter of the topology or exceeds its
/// members, the replicas of a key exceed error_count_max, or a duration or bound is not
/// positive.
[[nodiscard]] result<std::unique_ptr<deployment>> deploy(kv::topology nodes, options o);

}  // namespace coact::policies::quorum
