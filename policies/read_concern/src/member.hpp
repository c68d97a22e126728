#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "coact/policies/read_concern/member_status.hpp"
#include "coact/policies/read_concern/rollback_log.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::read_concern {

/// The member's clocks.
struct member_timing {
  /// How often the member looks at its deadlines; every other duration is rounded up to it.
  duration tick;
  /// How often a primary sends its oplog (or an empty heartbeat) to each secondary.
  duration heartbeat;
  /// A secondary that hears from no primary for a time drawn uniformly from
  /// [election_min, election_max] stands for election.
  duration election_min;
  duration election_max;
  /// A primary that hears from no majority for this long steps down; none: never.
  std::optional<duration> step_down_after;
  /// Entries per AppendEntries message at most.
  std::size_t batch_entries_max;
};

/// Everything one member needs; the pointers must outlive the member actor (the
/// deployment owns them).
struct member_setup {
  std::uint32_t node = 0;
  /// Every member's node, this one's included.
  std::vector<std::uint32_t> members;
  const kv::directory* directory = nullptr;
  member_timing timing;
  status_board* status = nullptr;
  rollback_log* rollbacks = nullptr;
  /// Election timeouts are drawn from it.
  prng random{0};
  /// False for a member restarted without durable state (see member_status::voter).
  bool voter = true;
  /// Where the term, vote and oplog are kept; null: volatile.
  std::unique_ptr<kv::log_storage> storage;
};

/// The body of one replica-set member: secondary, candidate or primary by turns
/// (read_concern.capnp is its protocol). It answers ClientRead and ClientWrite asks and the
/// replication and election tells of its peers. Stops with the storage's error if its
/// durable state cannot be read or written.
task<result<void>> run_member(actor_context& self, member_setup setup);

}  // namespace coact::policies::read_concern
