#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::strong {

/// The role under which a replica's Raft node is listed in the deployment's directory.
inline constexpr const char* raft_role = "raft";

using replication::leader_observer;

/// How one replica's Raft node is set up.
struct raft_node_config {
  /// This replica's node number, and every replica's (this one included).
  std::uint32_t node = 0;
  std::vector<std::uint32_t> members;
  /// Where the peers' current references are looked up at each send; must outlive the
  /// actor.
  const kv::directory* directory = nullptr;
  replication::raft_timing timing;
  /// Where the term, vote and log persist (null: volatile, see replication::term_log).
  std::unique_ptr<kv::log_storage> storage;
  /// Draws the election timeouts; give each node, and each of its lives, its own stream.
  prng random{0};
  leader_observer on_leader;
};

/// One replica of the strong policy: a member of the replication core's Raft group (with
/// pre-votes, a leader no-op and a leader that steps down when it stops hearing from a
/// majority) over a replicated_map, answering strong.capnp.
///
/// Clients ask it with ClientRequest. A node that does not lead answers notLeader at once
/// (with the leader it knows of). The leader appends a write, answers once a majority has
/// it and it is applied, or answers unknown if it stops leading first. A read is served
/// at the leader with ReadIndex: once the leader has committed an entry of its own term,
/// once a majority has acknowledged a round of heartbeats sent after the read arrived,
/// and once the state has caught up with the commit index as it was when the read
/// arrived; so no read returns a value older than one already acknowledged.
///
/// Stops with the storage's error if the log cannot be opened or written.
task<result<void>> raft_node(actor_context& self, raft_node_config config);

}  // namespace coact::policies::strong
