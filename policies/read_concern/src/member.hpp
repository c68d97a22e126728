#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "coact/policies/read_concern/member_status.hpp"
#include "coact/policies/read_concern/rollback_log.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::read_concern {

/// Everything one member needs; the pointers must outlive the member actor (the
/// deployment owns them).
struct member_config {
  std::uint32_t node = 0;
  /// Every member's node, this one's included.
  std::vector<std::uint32_t> members;
  const kv::directory* directory = nullptr;
  replication::raft_timing timing;
  /// How often the member gives up on the client requests whose wait is over.
  duration tick;
  status_board* status = nullptr;
  rollback_log* rollbacks = nullptr;
  /// Election timeouts are drawn from it.
  prng random{0};
  /// False for a member restarted without durable state (see member_status::voter).
  bool voter = true;
  /// Where the term, vote and oplog are kept; null: volatile.
  std::unique_ptr<kv::log_storage> storage;
};

/// The body of one replica-set member: a member of the replication core's Raft group
/// whose log is the oplog, answering read_concern.capnp's ClientRead and ClientWrite asks.
/// Stops with the storage's error if its durable state cannot be read or written.
task<result<void>> run_member(actor_context& self, member_config config);

}  // namespace coact::policies::read_concern
