#pragma once

#include <memory>

#include "coact/actors/deployment_base.hpp"
#include "coact/policies/strong/raft_client.hpp"
#include "coact/policies/strong/raft_node.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies::strong {

/// How the strong policy is set up. `storage`: durable replicas, e.g.
/// `kv::simulated_disks(w)` (file "raft.log"); without it the replicas are volatile, which is
/// safe only if no replica crashes and comes back.
struct options : kv::deploy_options {
  replication::raft_timing timing;
  client_options client;
  /// Told of every election won (e.g. to measure elections).
  leader_observer on_leader;
};

/// The strong policy on `topology`'s replicas: one Raft node per replica node, listed in
/// the deployment's directory under raft_role at each boot; clients made by make_client
/// are raft_clients numbered 1, 2, ... in the order made. Linearizable get, put and cas;
/// available while a majority of replicas is up and connected; unavailable elsewhere.
/// The deployment must outlive every node it booted and every client it made.
/// errc::invalid_argument when the topology has no replica or names one twice.
[[nodiscard]] result<std::unique_ptr<kv::deployment>> deploy(kv::topology topology,
                                                             options settings);

}  // namespace coact::policies::strong
