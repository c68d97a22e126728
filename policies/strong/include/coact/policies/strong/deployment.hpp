#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "coact/actors/deployment.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/policies/strong/raft_client.hpp"
#include "coact/policies/strong/raft_node.hpp"

namespace coact::policies::strong {

/// Where a replica node keeps its Raft state: called at each boot of the node, on the
/// thread that boots it; null (or an empty function) makes the node volatile.
using storage_function = std::function<std::unique_ptr<kv::log_storage>(std::uint32_t node)>;

/// How the strong policy is set up.
struct options {
  replication::raft_timing timing;
  client_options client;
  /// Durable replicas, e.g. `[&w](auto n) { return kv::sim_file(w.disk(n), "raft.log"); }`
  /// in the simulator. Without it the replicas are volatile, which is safe only if no
  /// replica crashes and comes back.
  storage_function storage;
  /// The election timeouts of each node's each boot come from its own stream of this seed.
  std::uint64_t seed = 1;
  /// Told of every election won (e.g. to measure elections).
  leader_observer on_leader;
};

/// The strong policy on `topology`'s replicas: one Raft node per replica node, listed in
/// the deployment's directory under raft_role at each boot; clients made by make_client
/// are raft_clients numbered 1, 2, ... in the order made. Linearizable get, put and cas;
/// available while a majority of replicas is up and connected; unavailable elsewhere.
/// The deployment must outlive every node it booted and every client it made.
[[nodiscard]] std::unique_ptr<kv::deployment> deploy(kv::topology topology, options settings);

}  // namespace coact::policies::strong
