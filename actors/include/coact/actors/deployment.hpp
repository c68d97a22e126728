#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/kv_client.hpp"
#include "coact/runtime/actor_system.hpp"

namespace coact::kv {

/// One node that hosts a policy's replica.
struct member {
  /// The node's number (its actor_ref node; a simulated world's node id).
  std::uint32_t node = 0;
  std::string name;
  std::string datacenter;
};

/// Where a policy runs: the nodes that host its replicas, and the nodes that host only
/// clients, with their datacenters (a policy serves a client from replicas or
/// coordinators near it). A client's home may also be a replica node, or neither.
struct topology {
  std::vector<member> replicas;
  std::vector<member> clients;
};

/// A policy's class on the availability map: which clients can still be served during a
/// partition (total: every client that reaches any replica; sticky: a client that stays
/// with its replica; unavailable: only the majority side or the leader's side).
enum class availability : std::uint8_t { total, sticky, unavailable };

[[nodiscard]] const char* to_string(availability a) noexcept;

/// Whether `t` has a replica and names none twice: what every family's deploy requires.
[[nodiscard]] bool distinct_replicas(const topology& t);

/// What a policy promises and what it costs: the descriptor every policy family provides.
struct descriptor {
  std::string family;      ///< e.g. "quorum"
  std::string guarantees;  ///< one line, checked by the policy's simulator tests
  availability under_partition = availability::unavailable;
  std::string round_trips;  ///< the expected cost, e.g. "read: 1 RTT to R replicas"
  /// The optional capabilities of the client contract its clients offer beside get and
  /// put, e.g. "transactions" (kv::transactional).
  std::vector<std::string> capabilities;
};

/// A policy set up on a topology: it boots the policy's actors on each replica node (in
/// the simulator at every start and restart, on the threaded runtime once) and makes
/// clients for actors on any node. Boot and make_client run on the thread that drives
/// the node (the simulator's, or the program's before the system runs actors).
class deployment {
 public:
  virtual ~deployment() = default;

  [[nodiscard]] virtual const descriptor& describe() const = 0;
  /// Spawns the policy's actors for replica node `node` on its fresh actor system.
  virtual void boot(actor_system& system, std::uint32_t node) = 0;
  /// A client for an actor that runs on node `home` (a replica node or not). It must not
  /// outlive this deployment.
  [[nodiscard]] virtual std::unique_ptr<client> make_client(std::uint32_t home) = 0;
};

}  // namespace coact::kv
