#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::txn {

struct replicated_coordinator_config {
  /// This member's node, and every member's of the coordinator group (this one included).
  std::uint32_t node = 0;
  std::vector<std::uint32_t> members;
  /// Every participant's node, in placement order (group_of).
  std::vector<std::uint32_t> groups;
  /// Where members and participants are looked up; must outlive the actor.
  const kv::directory* directory = nullptr;
  replication::raft_timing timing;
  /// Where the member's Raft term, vote and log persist (null: volatile).
  std::unique_ptr<kv::log_storage> storage;
  /// Draws the election timeouts; give each member, and each of its lives, its own stream.
  prng random{0};
  duration prepare_timeout = std::chrono::milliseconds{100};
  replication::leader_observer on_leader;
};

/// A member of txn-2pc-replicated's coordinator group: the coordinator's decisions are
/// kept by the replication core's Raft, so that a coordinator's crash blocks no one.
///
/// Only the leader coordinates (others answer notLeader). It collects the votes as the
/// plain coordinator does; a no aborts at once (nobody can commit what it alone would
/// propose). All yes: it proposes "commit" for the transaction as a compare-and-set on
/// the replicated decisions (expected: none), and once that entry is applied, the
/// decision is whatever the group holds for it, told to the participants and the client.
/// An Inquiry is answered from the applied decisions by any member; a leader asked about
/// a transaction it is not running and has no decision for proposes "abort" the same way.
/// The first decision in the log wins: a coordinator that crashed or lost its leadership
/// after collecting yes votes either got its commit in first, or finds the abort there.
///
/// Stops with the storage's error if the log cannot be opened or written.
task<result<void>> replicated_coordinator(actor_context& self,
                                          replicated_coordinator_config config);

}  // namespace coact::policies::txn
