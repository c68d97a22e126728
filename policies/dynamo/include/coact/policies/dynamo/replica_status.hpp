#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "coact/actors/replication/raft_core.hpp"
#include "coact/actors/versioned_map.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::dynamo {

/// A partition replica's part in its partition's election.
using replica_role = replication::raft_role;

/// What one partition replica holds and believes, as it answered a StatusRequest.
struct replica_status {
  std::uint32_t partition = 0;
  std::uint32_t node = 0;
  replica_role role = replica_role::follower;
  std::uint64_t term = 0;
  /// The node it believes leads the partition, if it knows one.
  std::optional<std::uint32_t> leader;
  /// The index of the last entry of its log, of the last it knows committed, of the last
  /// it applied.
  std::uint64_t last_seq = 0;
  std::uint64_t commit_seq = 0;
  std::uint64_t applied_seq = 0;
  /// Whether it answers eventually consistent reads (it has caught up with a leader since
  /// it started).
  bool serving = false;
  /// Its applied state: every key's value and version.
  std::map<std::string, kv::stored_value> items;
};

/// Asks the partition replica `replica` for its status, from actor `self`. Fails with the
/// ask's error (errc::timeout, errc::actor_gone, ...).
[[nodiscard]] task<result<replica_status>> query_status(actor_context& self, actor_ref replica,
                                                        duration timeout);

}  // namespace coact::policies::dynamo
