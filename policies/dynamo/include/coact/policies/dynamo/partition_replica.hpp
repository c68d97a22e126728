#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/policies/dynamo/options.hpp"
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
  /// The nodes of the partition's two other replicas.
  std::array<std::uint32_t, 2> peers{};
  /// Where the other replicas are now (role directory_role(partition)); must outlive the
  /// actor.
  const kv::directory* refs = nullptr;
  replica_timing timing;
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

/// The actor of one replica of one partition: with its two peers it elects a leader by
/// majority (terms, one vote per term, for a candidate whose log is at least as recent),
/// and the leader replicates its log to them.
///
/// Writes (Put, Cas) go to the leader, which appends them to its log (durably, with
/// storage), sends them to both peers and answers once one of them has them durably too:
/// the write is then committed, and applied, with the version {its sequence, the leader's
/// node}. A cas is decided when applied, against the state just before it, so every
/// replica decides it alike. Followers apply entries once they learn they are committed,
/// and the leader resends what a follower has not acknowledged at every heartbeat, so
/// every replica ends up with every committed entry.
///
/// Eventually consistent reads are answered by any replica that has caught up with a
/// leader since it started, from what it has applied (maybe stale). Consistent reads are
/// answered only by the leader, after a majority has confirmed, by a message sent after
/// the read arrived, that no newer leader exists, and after the leader has committed an
/// entry of its own term. A replica that is not the leader refuses writes and consistent
/// reads with Outcome notLeader and the leader it knows of; a leader that steps down
/// answers its pending writes outcomeUnknown.
///
/// Stops with the storage's error when its log cannot be read or written.
[[nodiscard]] task<result<void>> partition_replica(actor_context& self, replica_settings settings);

}  // namespace coact::policies::dynamo
