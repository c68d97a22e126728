#pragma once

#include <memory>
#include <optional>

#include "coact/actors/deployment_base.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/policies/txn/client.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies::txn {

/// How txn-2pc is set up. `storage`: durable participants and coordinators, e.g.
/// `kv::simulated_disks(w)` (files "participant.log" and "coordinator.log", or
/// "coordinator.raft" for the replicated coordinators); without it a crash loses what was
/// prepared and decided.
struct options : kv::deploy_options {
  /// txn-2pc-replicated: the replica nodes' coordinators form one Raft group that keeps
  /// every decision, so that a coordinator's crash blocks no participant.
  bool replicated = false;
  /// The coordinator group's Raft timers (replicated only).
  replication::raft_timing timing;
  /// spanner: TrueTime's bound ε on every node clock's error (the interval clock's), which
  /// makes the deployment the spanner family: prepare and commit timestamps, commit wait,
  /// versions at commit timestamps and lock-free snapshot reads. Empty: txn-2pc.
  std::optional<duration> epsilon;
  /// spanner: told how long each commit waited (commit wait), on its coordinator's thread.
  std::function<void(duration wait)> on_commit_wait;
  duration prepare_timeout = std::chrono::milliseconds{100};
  duration inquiry_after = std::chrono::milliseconds{50};
  client_options client;
  /// Told of every prepared transaction's decision (e.g. to measure blocking).
  decided_observer on_decided;
  /// Told of every election won in the coordinator group (replicated only).
  replication::leader_observer on_leader;
};

/// txn-2pc on `topology`'s replicas: each replica node is one group (a participant owning
/// the keys group_of places on it, listed under participant_role) and hosts a coordinator
/// (coordinator_role; replicated: a member of the coordinator group). Clients made by
/// make_client are txn_clients numbered 1, 2, ...;
/// each also offers kv::transactional. The deployment must outlive every node it booted
/// and every client it made. errc::invalid_argument when the topology has no replica or
/// names one twice, or for an epsilon of zero or less, or with `replicated` (the
/// coordinator group has no commit wait yet).
[[nodiscard]] result<std::unique_ptr<kv::deployment>> deploy(kv::topology topology,
                                                             options settings);

}  // namespace coact::policies::txn
