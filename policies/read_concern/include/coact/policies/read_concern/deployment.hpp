#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "coact/actors/deployment_base.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/policies/read_concern/member_status.hpp"
#include "coact/policies/read_concern/rollback_log.hpp"
#include "coact/policies/read_concern/session.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies::read_concern {

/// The member actor's name in a deployment's directory() (read_concern.capnp is its
/// protocol).
inline constexpr const char* member_directory_role = "read_concern.member";

/// How a replica set is set up. `storage`: where member `node` keeps its term, vote and
/// oplog (file "oplog"), opened at each boot (e.g. kv::simulated_disks(world)); empty:
/// members are volatile, and one that restarts comes back empty and never votes again (it
/// would not remember its vote). `seed` seeds the members' election timeouts and the
/// sessions' choices of secondary.
struct options : kv::deploy_options {
  /// What make_client(home) gives its sessions.
  session_options session;
  /// How often a member gives up on the client requests whose wait is over (each is
  /// answered at most this late).
  duration tick = std::chrono::milliseconds{5};
  /// The members' Raft timers. Heartbeats every 10 ms; a member that hears from no primary
  /// for 50-100 ms stands for election (after a pre-vote); a primary that hears from no
  /// majority for step_down_after steps down (as MongoDB's does, after its election
  /// timeout), which bounds how long a cut-off primary takes w:1 writes that will be rolled
  /// back. step_down_after none: it stays primary until it hears of a higher term
  /// (linearizable reads and majority writes stay correct either way).
  replication::raft_timing timing{.election_timeout_min = std::chrono::milliseconds{50},
                                  .election_timeout_max = std::chrono::milliseconds{100},
                                  .heartbeat_period = std::chrono::milliseconds{10},
                                  .step_down_after = std::chrono::milliseconds{50}};
  /// Receives one line per rolled-back write; empty: stderr.
  std::function<void(const std::string&)> report;
};

/// A MongoDB-like replica set on a topology: one member per replica node, one primary
/// elected at a time by the replication core (Raft: terms, pre-votes, a majority of votes,
/// the most up-to-date oplog wins), its oplog replicated to the secondaries, and causally
/// consistent client sessions that read and write with a read concern, a write concern and
/// a read preference.
class deployment final : public kv::deployment_base {
 public:
  deployment(kv::topology topology, options opts);

  /// Starts the member of replica node `node`, and records its reference in directory().
  void boot(actor_system& system, std::uint32_t node) override;
  /// A session with options().session.
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override;
  /// A session with its own concerns and read preference (as a MongoDB client sets them
  /// per operation), on the same replica set. Sessions are numbered from 1 in the order
  /// they are made: that number is the id that makes their writes apply once, so every
  /// session of a replica set must come from one deployment.
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home,
                                                        session_options session);

  /// The writes members have rolled back so far.
  [[nodiscard]] const rollback_log& rollbacks() const noexcept { return rollbacks_; }
  /// What each member last published of itself.
  [[nodiscard]] const status_board& status() const noexcept { return status_; }
  [[nodiscard]] const kv::topology& topology() const noexcept { return topology_; }

 private:
  options settings_;
  status_board status_;
  rollback_log rollbacks_;
};

/// A replica set on `topology` with `opts`. errc::invalid_argument if the topology has no
/// replica or names one node twice, or a duration is not positive, or
/// election_timeout_min > election_timeout_max, or entries_per_message_max is 0.
[[nodiscard]] result<std::unique_ptr<deployment>> deploy(kv::topology topology, options opts);

}  // namespace coact::policies::read_concern
