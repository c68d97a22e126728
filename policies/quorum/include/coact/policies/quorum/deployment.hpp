#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coact/actors/deployment_base.hpp"
#include "coact/policies/quorum/client.hpp"
#include "coact/policies/quorum/level.hpp"
#include "coact/policies/quorum/placement.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies::quorum {

/// How a quorum deployment is set up. `storage`: durable replicas, each writes a log
/// through it (e.g. `kv::simulated_disks(w)`, file "quorum.log"); empty: volatile replicas.
struct options : kv::deploy_options {
  /// Replicas per datacenter of each key; empty: every member holds every key. A
  /// datacenter of the topology left out holds no replicas (its coordinators still serve).
  replication factors;
  /// The levels of the clients make_client makes.
  levels defaults;
  /// Blocking read repair (Cassandra 4's): on by default.
  bool read_repair = true;
  /// ABD write-back of every read's value at the client's write level: off by default.
  bool write_back = false;
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

/// The quorum policy (Cassandra-like) on a topology: each member runs a storage replica
/// (coact::kv::replica) and a coordinator. Clients send each request to a coordinator of
/// their datacenter at a consistency level; last writer wins by coordinator timestamp;
/// blocking read repair, optional write-back, hinted handoff. See README.md.
class deployment final : public kv::deployment_base {
 public:
  /// Use deploy(), which checks the options.
  deployment(std::shared_ptr<const placement> layout, options o);

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

  [[nodiscard]] const placement& layout() const noexcept { return *layout_; }

 private:
  std::shared_ptr<const placement> layout_;
  options settings_;
};

/// Sets the policy up on `nodes`. errc::invalid_argument when the topology is empty or
/// names a node twice, a factor is 0, names no datacenter of the topology or exceeds its
/// members, the replicas of a key exceed error_count_max, or a duration or bound is not
/// positive.
[[nodiscard]] result<std::unique_ptr<deployment>> deploy(kv::topology nodes, options o);

}  // namespace coact::policies::quorum
