#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "coact/actors/replication/command.hpp"
#include "coact/actors/replication/term_log.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::replication {

/// The timers of a Raft member. Safety never depends on them (no leases: reads are
/// confirmed by a round of heartbeats); availability does. The heartbeat period must be
/// well below the minimum election timeout, which must be well above a round trip.
struct raft_timing {
  /// A follower that hears from no leader for a time drawn uniformly from
  /// [election_timeout_min, election_timeout_max] starts an election.
  duration election_timeout_min = std::chrono::milliseconds{150};
  duration election_timeout_max = std::chrono::milliseconds{300};
  /// How often a leader sends heartbeats (and retries entries a follower has not taken).
  duration heartbeat_period = std::chrono::milliseconds{50};
  /// A leader that has heard from no majority for this long steps down, so that its
  /// clients look elsewhere; none: it never does.
  std::optional<duration> step_down_after = std::chrono::milliseconds{300};
  /// The most entries one AppendEntries message carries.
  std::size_t entries_per_message_max = 64;
};

/// Whether `t` can work: a positive heartbeat period below the minimum election timeout,
/// which is at most the maximum, a positive step-down delay if any, and room for an entry
/// in a message.
[[nodiscard]] bool valid(const raft_timing& t) noexcept;

/// When a member may vote and campaign.
enum class voting : std::uint8_t {
  always,
  /// Not until it has caught up with a leader's commit index: a member that restarted
  /// without its log (volatile storage) must not vote with what it forgot.
  after_catch_up,
  never,
};

struct raft_options {
  /// This member's node number, and every member's (this one included).
  std::uint32_t node = 0;
  std::vector<std::uint32_t> members;
  raft_timing timing;
  voting votes = voting::always;
  /// Poll before campaigning, so that a member that was cut off cannot force a new term on
  /// a majority that still has its leader (Raft thesis §9.6).
  bool pre_vote = true;
  /// A new leader appends an entry of its own term at once, so that what earlier leaders
  /// appended commits (Raft §5.4.2) and reads are served without waiting for a write.
  bool leader_noop = true;
  /// A leader tells its followers of each advance of its commit index at once, instead of
  /// at the next heartbeat (for families that serve reads at followers).
  bool announce_commits = false;
  /// Draws the election timeouts; give each member, and each of its lives, its own stream.
  prng random{0};
};

enum class raft_role : std::uint8_t { follower, precandidate, candidate, leader };

/// Told, on the member's own thread, when member `node` becomes leader of `term` (e.g. to
/// measure elections, or to find the leader in a test).
using leader_observer = std::function<void(std::uint32_t node, std::uint64_t term)>;

/// What the core asks of the family that drives it. Every hook runs on the member's
/// actor, inside on_tick, on_message or propose.
struct raft_hooks {
  /// Sends a Raft message to a peer; called from flush(), once the log is durable. A
  /// message that cannot go is as lost as one the network drops: Raft retries.
  std::function<void(std::uint32_t node, envelope&& message)> send;
  /// Applies the committed entry at `index`: each index once, in increasing order.
  std::function<void(std::uint64_t index, const entry& e)> apply;
  /// Optional: the entry at `index` was appended (also each entry read back at start),
  /// for families that expose what is not committed yet.
  std::function<void(std::uint64_t index, const entry& e)> appended;
  /// Optional: the entries after `index`, never committed, were cut from the log (a
  /// leader of a later term has others there).
  std::function<void(std::uint64_t index, std::span<const entry> removed)> truncated;
  /// Optional: the role or the known leader changed (`term`: the current one).
  std::function<void(raft_role role, std::uint64_t term)> role_changed;
  /// Optional: the read `ticket` (from read()) may now be served from the applied state.
  std::function<void(std::uint64_t ticket)> read_ready;
};

/// A member of a Raft group: leader election (randomized timeouts, optional pre-vote),
/// log replication, commit on a majority, ReadIndex reads, and a leader that steps down
/// when it stops hearing from a majority. A plain class, driven by its actor: it handles
/// a message or a deadline without waiting, and leaves what it sends, and the answers the
/// family gives through reply(), for flush(), which first makes the log durable, so that
/// no vote, acknowledgement or answer leaves the member before what it promises is on
/// disk.
class raft_core {
 public:
  /// Starts from `log` as term_log::open read it back (passing each entry to
  /// hooks.appended).
  raft_core(raft_options options, raft_hooks hooks, term_log log, time_point now);

  /// Drives this member on its actor: ticks at each deadline, handles Raft messages, passes
  /// every other message to `handle`, and flushes after each. Returns only with the
  /// storage's error.
  [[nodiscard]] task<result<void>> run(actor_context& self, std::function<void(envelope&)> handle);

  /// When on_tick is due: the leader's next heartbeat, or the election timeout.
  [[nodiscard]] time_point deadline() const noexcept {
    return role_ == raft_role::leader ? heartbeat_due_ : election_due_;
  }
  void on_tick(time_point now);
  /// Handles a Raft message (true), or leaves any other for the family (false).
  bool on_message(envelope& e, time_point now);

  /// Leader only: appends `c` (its writer set to this member) and returns its index. A
  /// write whose token is already in the log, not yet applied, is not appended again: its
  /// index is returned. Empty when this member does not lead.
  std::optional<std::uint64_t> propose(command c);
  /// Leader only: a ReadIndex read. hooks.read_ready(ticket) is called (from a later event
  /// or flush(), never from within read()) once the state has
  /// applied every write acknowledged before now and a majority has confirmed this member
  /// still leads; if it stops leading first, hooks.role_changed is called and the ticket
  /// is dropped. Empty when this member does not lead.
  std::optional<std::uint64_t> read();

  /// Answers `request` with `reply` at the next flush().
  void reply(envelope& request, envelope&& reply) {
    answers_.emplace_back(std::move(request), std::move(reply));
  }
  /// Syncs the log, then sends what the handlers left. Fails with the storage's error,
  /// after which the member must stop.
  [[nodiscard]] result<void> flush(actor_context& self);

  [[nodiscard]] raft_role role() const noexcept { return role_; }
  [[nodiscard]] bool leads() const noexcept { return role_ == raft_role::leader; }
  [[nodiscard]] std::uint64_t term() const noexcept { return log_.term(); }
  /// The leader of the current term, when known (this member when it leads).
  [[nodiscard]] std::optional<std::uint32_t> leader() const noexcept { return leader_; }
  [[nodiscard]] std::uint64_t commit_index() const noexcept { return commit_; }
  [[nodiscard]] std::uint64_t applied_index() const noexcept { return applied_; }
  /// Whether this member has reached a leader's commit index since it started.
  [[nodiscard]] bool caught_up() const noexcept { return caught_up_; }
  [[nodiscard]] const term_log& log() const noexcept { return log_; }
  [[nodiscard]] std::uint32_t node() const noexcept { return options_.node; }

 private:
  /// What a leader knows of one follower.
  struct progress {
    std::uint64_t next = 1;   // the next index to send it
    std::uint64_t match = 0;  // the highest index known to be in its log
    std::uint64_t round = 0;  // the latest broadcast round it acknowledged
    time_point heard;         // when it last answered in this term
  };
  /// A ReadIndex read waiting at the leader.
  struct pending_read {
    std::uint64_t ticket = 0;
    std::uint64_t read_index = 0;  // the state must have applied this far
    std::uint64_t round = 0;       // a majority must have acknowledged this round
  };

  [[nodiscard]] std::size_t majority() const noexcept { return options_.members.size() / 2 + 1; }
  [[nodiscard]] bool may_vote() const noexcept {
    return options_.votes == voting::always ||
           (options_.votes == voting::after_catch_up && caught_up_);
  }
  void keep(result<void> r) {
    if (!r && !failure_) failure_ = r.error();
  }
  void reset_election_timer();
  void set_role(raft_role role, std::optional<std::uint32_t> leader);

  void on_request_vote(proto::RequestVote::Reader m);
  void on_vote(proto::Vote::Reader v);
  void on_append(proto::AppendEntries::Reader m);
  void on_append_result(proto::AppendResult::Reader r);

  void step_down(std::uint64_t term, std::optional<std::uint32_t> leader);
  void start_pre_vote();
  void start_election();
  void ask_votes(std::uint64_t term, bool pre_vote);
  void become_leader();
  void append(entry e);
  void broadcast();
  void send_append(std::uint32_t peer);
  void advance_commit();
  void apply_committed();
  void serve_reads();
  [[nodiscard]] bool majority_heard() const;
  void answer_vote(std::uint32_t candidate, std::uint64_t term, bool granted, bool pre_vote);
  void answer_append(std::uint32_t leader, bool success, std::uint64_t index, std::uint64_t round);

  raft_options options_;
  raft_hooks hooks_;
  term_log log_;
  time_point now_;
  raft_role role_ = raft_role::follower;
  std::optional<std::uint32_t> leader_;
  time_point last_contact_;  // when the leader was last heard from
  time_point election_due_;
  time_point heartbeat_due_;
  std::uint64_t commit_ = 0;
  std::uint64_t applied_ = 0;
  bool caught_up_ = false;
  std::set<std::uint32_t> granted_;  // votes (or pre-votes) received in this election

  // Leader only.
  std::map<std::uint32_t, progress> progress_;
  time_point leader_since_;
  std::uint64_t round_ = 0;
  std::uint64_t tickets_ = 0;
  std::vector<pending_read> pending_reads_;

  std::vector<std::pair<std::uint32_t, envelope>> outbox_;  // to peers, by node
  std::vector<std::pair<envelope, envelope>> answers_;      // (request, reply)
  std::error_code failure_;
};

}  // namespace coact::replication
