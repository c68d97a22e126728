#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::txn {

struct coordinator_config {
  /// This coordinator's node, and every participant's in placement order (group_of).
  std::uint32_t node = 0;
  std::vector<std::uint32_t> groups;
  /// Where the participants' current references are looked up; must outlive the actor.
  const kv::directory* directory = nullptr;
  /// Where commit decisions persist (null: volatile).
  std::unique_ptr<kv::log_storage> storage;
  /// How long it waits for the votes before it aborts.
  duration prepare_timeout = std::chrono::milliseconds{100};
  /// spanner: TrueTime's bound on the node clock's error, which turns on commit timestamps
  /// and commit wait; empty: txn-2pc.
  std::optional<duration> epsilon;
  /// spanner: told, on the coordinator's thread, how long each commit waited.
  std::function<void(duration wait)> on_commit_wait;
};

/// A coordinator of txn-2pc: clients ask it with Transaction.
///
/// It sends Prepare to every participant that owns a key of the transaction and waits for
/// their votes. All yes: it appends the commit to its log and syncs it, and only then
/// tells the participants and answers the client with what was read. A no, or a vote
/// missing after prepare_timeout: it aborts (told to the participants, not logged:
/// presumed abort) and answers the client with the first refusal. An Inquiry is answered
/// with the decision, pending while the votes are out, and abort for a transaction it has
/// no record of: one it was running when it crashed, which cannot have committed.
///
/// spanner (config.epsilon set): the commit timestamp s is the highest of the prepare
/// timestamps, TT.now().latest once every vote is in, and one above every timestamp it gave
/// before; logged with the commit. Then **commit wait**: nobody is told (participants keep
/// their locks, the client waits, an Inquiry is answered pending) until TT.after(s). The
/// client's answer carries s and how long the wait took.
///
/// Stops with the storage's error if the log cannot be opened or written.
task<result<void>> coordinator(actor_context& self, coordinator_config config);

}  // namespace coact::policies::txn
