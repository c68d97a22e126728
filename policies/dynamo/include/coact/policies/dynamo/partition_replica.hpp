#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::dynamo {

/// Everything one replica of one partition needs to run.
struct replica_settings {
  std::uint32_t partition = 0;
  /// This replica's node, and its name for answers.
  std::uint32_t node = 0;
  std::string node_name;
  /// The nodes of the partition's replicas, this one included.
  std::vector<std::uint32_t> members;
  /// Where the other replicas are now (role directory_role(partition)); must outlive the
  /// actor.
  const kv::directory* refs = nullptr;
  replication::raft_timing timing;
  /// Writes and consistent reads waiting at the leader, at most.
  std::uint32_t pending_max = 1024;
  /// Draws the election timeouts.
  prng random{0};
  /// The replica's durable log; null: volatile.
  std::unique_ptr<kv::log_storage> storage;
  /// A volatile replica restarted after a crash: it forgot its log and its votes, so it
  /// neither votes nor campaigns until it has caught up with a leader.
  bool rejoining = false;
};

/// The directory role of partition `partition`'s replicas: "dynamo/<partition>".
[[nodiscard]] std::string directory_role(std::uint32_t partition);

/// The actor of one replica of one partition: a member of the partition's Raft group (the
/// replication core, with pre-votes, a leader no-op, commits announced to the followers at
/// once, and a leader that steps down when it hears from neither replica) over a
/// replication::replicated_map, answering dynamo.capnp.
///
/// A Write goes to the leader, which answers once one other replica also holds it
/// (durably, with storage) and it is applied, with the version {its log index, the
/// leader's node}; a cas is decided when applied, so every replica decides it alike. A
/// write whose token was applied already is answered at once with what it did, not
/// appended again; a copy of one still in the log waits on that entry.
///
/// Eventually consistent reads are answered by any replica that serves (it has caught up
/// with a leader since it started; a leader once it has committed an entry of its own
/// term) from what it has applied, maybe stale. Consistent reads are answered only by the
/// leader, with ReadIndex: after a majority has acknowledged a heartbeat round sent after
/// the read arrived. A replica that is not the leader refuses writes and consistent reads
/// with Outcome notLeader and the leader it knows of; a leader that steps down answers its
/// pending writes outcomeUnknown.
///
/// Stops with the storage's error when its log cannot be read or written.
[[nodiscard]] task<result<void>> partition_replica(actor_context& self, replica_settings settings);

}  // namespace coact::policies::dynamo
