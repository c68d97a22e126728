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

/// The roles under which a node's actors are listed in the deployment's directory.
inline constexpr const char* participant_role = "txn/participant";
inline constexpr const char* coordinator_role = "txn/coordinator";

/// Told, on the participant's thread, each time a transaction it voted yes for learns its
/// decision: how long it held its locks prepared (vote to decision), which is how long a
/// coordinator that crashed between prepare and decision blocked it.
using decided_observer = std::function<void(std::uint32_t node, duration blocked, bool commit)>;

struct participant_config {
  /// This participant's node, and every participant's in placement order (group_of).
  std::uint32_t node = 0;
  std::vector<std::uint32_t> groups;
  /// Where the coordinators' current references are looked up; must outlive the actor.
  const kv::directory* directory = nullptr;
  /// txn-2pc-replicated: the coordinator group's nodes, asked in turn; empty: the
  /// coordinator that sent the prepare is the one asked.
  std::vector<std::uint32_t> coordinators;
  /// Where prepare and decision records persist (null: volatile).
  std::unique_ptr<kv::log_storage> storage;
  /// A prepared transaction whose decision has not come after this asks its coordinator,
  /// and asks again each time this passes.
  duration inquiry_after = std::chrono::milliseconds{50};
  decided_observer on_decided;
  /// spanner: TrueTime's bound on the node clock's error (the interval clock's ε), which
  /// turns on prepare timestamps, versions at commit timestamps and snapshot reads; empty:
  /// txn-2pc.
  std::optional<duration> epsilon;
  /// spanner: how far ahead of TT.now().latest a snapshot read's timestamp may be.
  duration read_ahead_max = std::chrono::seconds{1};
};

/// One participant of txn-2pc: it owns the keys that group_of places on it.
///
/// On Prepare it takes the locks of the transaction's operations on its keys (no-wait:
/// a conflict votes no at once), runs them on a copy (business rules: an add to a key
/// with no value votes no with unknownKey, one that would leave it negative with
/// ruleViolated), writes a prepare record (locks, writes, what it read) and syncs it, and
/// only then votes yes. Prepared, it never aborts on its own: it holds its locks until
/// the decision comes, asking the coordinator (or each member of the coordinator group in
/// turn) again every inquiry_after. On a decision it
/// applies the writes (commit) or drops them, records the decision and releases the
/// locks. A restart replays the log: committed writes are applied again, and
/// transactions prepared but undecided hold their locks again and ask.
///
/// spanner (config.epsilon set): each prepare takes a timestamp above TT.now().latest and
/// above every timestamp this participant gave, applied or served, sent with the yes vote;
/// a commit installs the writes as versions at the commit timestamp. ReadAt is a snapshot
/// read: served lock-free with the latest versions at or below its timestamp once no
/// transaction prepared here at or below it is undecided (waiting otherwise), after which
/// no prepare here takes a timestamp at or below it; refused (tooFarAhead) beyond
/// read_ahead_max ahead of TT.now().latest.
///
/// Stops with the storage's error if the log cannot be opened or written.
task<result<void>> participant(actor_context& self, participant_config config);

}  // namespace coact::policies::txn
