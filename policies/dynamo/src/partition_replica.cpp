#include "coact/policies/dynamo/partition_replica.hpp"

#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "client_sessions.hpp"
#include "coact/actors/versioned_map.hpp"
#include "coact/policies/dynamo/dynamo.capnp.h"
#include "coact/policies/dynamo/replica_status.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/system.capnp.h"
#include "log_entry.hpp"
#include "partition_log.hpp"

namespace coact::policies::dynamo {
namespace {

/// The leader's view of one peer.
struct peer_progress {
  std::uint32_t node = 0;
  /// The next entry to send it, and the last entry known to match the leader's log.
  std::uint64_t next = 1;
  std::uint64_t match = 0;
  time_point last_ack;
};

/// A consistent read waiting for its leadership confirmation.
struct pending_read {
  std::uint64_t round = 0;
  envelope request;
};

void set_version(proto::Version::Builder b, kv::version v) {
  b.setCounter(v.counter);
  b.setWriter(v.writer);
}

/// One partition replica's state and handlers. Every handler runs to completion without
/// awaiting: replication is by tells, and client asks are answered when their condition
/// is met, so the actor never blocks on a peer.
class replica {
 public:
  replica(actor_context& self, replica_settings settings, partition_log log)
      : self_(self), settings_(std::move(settings)), log_(std::move(log)),
        voter_(!settings_.rejoining) {
    for (std::size_t i = 0; i < progress_.size(); ++i) progress_[i].node = settings_.peers[i];
  }

  void start() {
    (void)self_.tick_every(settings_.timing.tick);
    reset_election_deadline();
  }

  [[nodiscard]] result<void> handle(envelope& e) {
    result<void> done = success();
    dispatch(e, on<sys::Tick>([&](envelope&) { done = on_tick(); }),
             on<proto::Get>([&](envelope& get) { on_get(get); }),
             on<proto::Put>([&](envelope& request, proto::Put::Reader put) {
               done = on_write(request, log_entry{.kind = entry_kind::put,
                                                  .key = text_of(put.getKey()),
                                                  .value = text_of(put.getValue()),
                                                  .client = put.getClient(),
                                                  .sequence = put.getSequence()});
             }),
             on<proto::Cas>([&](envelope& request, proto::Cas::Reader cas) {
               log_entry entry{.kind = entry_kind::cas,
                               .key = text_of(cas.getKey()),
                               .value = text_of(cas.getValue()),
                               .client = cas.getClient(),
                               .sequence = cas.getSequence()};
               if (cas.getHasExpected()) entry.expected = text_of(cas.getExpected());
               done = on_write(request, std::move(entry));
             }),
             on<proto::Append>([&](envelope&, auto m) { done = on_append(m); }),
             on<proto::AppendAck>([&](envelope&, auto m) { done = on_append_ack(m); }),
             on<proto::Vote>([&](envelope&, auto m) { done = on_vote(m); }),
             on<proto::VoteAck>([&](envelope&, auto m) { done = on_vote_ack(m); }),
             on<proto::StatusRequest>([&](envelope& request) { on_status(request); }));
    return done;
  }

 private:
  // --- clients ---

  void on_get(envelope& e) {
    const auto get = e.get<proto::Get>();
    if (!get.getConsistent()) {
      if (!serving_) {
        self_.reply(e, answer(proto::Outcome::UNAVAILABLE));
        return;
      }
      auto a = answer(proto::Outcome::OK);
      fill_value(a.builder(), text_of(get.getKey()));
      self_.reply(e, std::move(a));
      return;
    }
    if (role_ != replica_role::leader) {
      self_.reply(e, answer(proto::Outcome::NOT_LEADER));
      return;
    }
    if (pending_count() >= settings_.timing.pending_max) {
      self_.reply(e, answer(proto::Outcome::UNAVAILABLE));
      return;
    }
    // The confirmation must be sent after the read arrived: a new round, sent now.
    pending_reads_.push_back({++round_, std::move(e)});
    broadcast();
  }

  [[nodiscard]] result<void> on_write(envelope& e, log_entry entry) {
    if (role_ != replica_role::leader) {
      self_.reply(e, answer(proto::Outcome::NOT_LEADER));
      return success();
    }
    // A request seen before (delivered twice, or retried) is not appended again: applied
    // again after the writes that followed it, it would undo them.
    switch (sessions_.of(entry.client, entry.sequence)) {
      case client_sessions::status::last:
        self_.reply(e, write_answer(sessions_.last_answer(entry.client)));
        return success();
      case client_sessions::status::older:
        // Its client has moved on and waits for no answer.
        self_.reply(e, answer(proto::Outcome::OUTCOME_UNKNOWN));
        return success();
      case client_sessions::status::fresh:
        break;
    }
    if (pending_count() >= settings_.timing.pending_max) {
      self_.reply(e, answer(proto::Outcome::UNAVAILABLE));
      return success();
    }
    if (const auto appended = unapplied_seq_of(entry)) {
      // In the log, not committed yet: answered when it commits (or when this leader
      // steps down).
      pending_writes_.emplace(*appended, std::move(e));
      return success();
    }
    entry.term = log_.term();
    entry.writer = settings_.node;
    BOOST_OUTCOME_TRY(log_.append(std::move(entry)));
    // Durable here before it counts as one of the two copies a commit needs.
    BOOST_OUTCOME_TRY(log_.sync());
    pending_writes_.emplace(log_.last_seq(), std::move(e));
    broadcast();
    return success();
  }

  /// Where a write with `entry`'s token is in the log after the applied entries, if it is.
  [[nodiscard]] std::optional<std::uint64_t> unapplied_seq_of(const log_entry& entry) const {
    if (entry.client == 0) return std::nullopt;
    for (std::uint64_t seq = applied_ + 1; seq <= log_.last_seq(); ++seq) {
      const log_entry& held = log_.at(seq);
      if (held.client == entry.client && held.sequence == entry.sequence) return seq;
    }
    return std::nullopt;
  }

  void on_status(envelope& e) {
    message<proto::ReplicaStatus> s;
    s->setPartition(settings_.partition);
    s->setNode(settings_.node);
    s->setRole(role_ == replica_role::leader      ? proto::Role::LEADER
               : role_ == replica_role::candidate ? proto::Role::CANDIDATE
                                                  : proto::Role::FOLLOWER);
    s->setTerm(log_.term());
    s->setLeader(leader_ ? std::int64_t{*leader_} : -1);
    s->setLastSeq(log_.last_seq());
    s->setCommitSeq(commit_);
    s->setAppliedSeq(applied_);
    s->setServing(serving_);
    auto items = s->initItems(static_cast<unsigned>(state_.size()));
    unsigned i = 0;
    for (const auto& [key, stored] : state_.entries()) {
      items[i].setKey(key);
      items[i].setValue(stored.value);
      set_version(items[i].initVersion(), stored.version);
      ++i;
    }
    self_.reply(e, std::move(s));
  }

  [[nodiscard]] message<proto::Answer> answer(proto::Outcome outcome) const {
    message<proto::Answer> a;
    a->setOutcome(outcome);
    a->setLeaderHint(leader_ ? std::int64_t{*leader_} : -1);
    a->setNode(settings_.node_name);
    return a;
  }

  [[nodiscard]] message<proto::Answer> write_answer(const applied_write& done) const {
    auto a = answer(proto::Outcome::OK);
    set_version(a->initVersion(), done.version);
    a->setMatched(done.matched);
    return a;
  }

  void fill_value(proto::Answer::Builder a, const std::string& key) const {
    if (const kv::stored_value* found = state_.find(key)) {
      a.setPresent(true);
      a.setValue(found->value);
      set_version(a.initVersion(), found->version);
    }
  }

  [[nodiscard]] std::size_t pending_count() const noexcept {
    return pending_reads_.size() + pending_writes_.size();
  }

  /// Answers the consistent reads whose round a peer has confirmed, once this leader has
  /// committed an entry of its term (before that, its commit may lag its predecessor's).
  void answer_reads() {
    if (role_ != replica_role::leader || log_.term_at(commit_) != log_.term()) return;
    while (!pending_reads_.empty() && pending_reads_.front().round <= confirmed_round_) {
      envelope& request = pending_reads_.front().request;
      auto a = answer(proto::Outcome::OK);
      fill_value(a.builder(), text_of(request.get<proto::Get>().getKey()));
      self_.reply(request, std::move(a));
      pending_reads_.pop_front();
    }
  }

  // --- replication ---

  [[nodiscard]] result<void> on_append(proto::Append::Reader a) {
    if (a.getTerm() < log_.term()) {
      ack(a.getLeader(), false, log_.last_seq(), a.getRound());
      return success();
    }
    if (a.getTerm() > log_.term() || role_ != replica_role::follower) {
      BOOST_OUTCOME_TRY(become_follower(a.getTerm()));
    }
    leader_ = a.getLeader();
    // This term has a leader: a vote for anyone else in it could only make a second one.
    if (!log_.voted_for()) {
      BOOST_OUTCOME_TRY(log_.set_term(log_.term(), a.getLeader()));
    }
    reset_election_deadline();

    const std::uint64_t prev = a.getPrevSeq();
    if (prev > log_.last_seq() || log_.term_at(prev) != a.getPrevTerm()) {
      BOOST_OUTCOME_TRY(log_.sync());
      ack(a.getLeader(), false, std::min(log_.last_seq(), prev - 1), a.getRound());
      return success();
    }
    std::uint64_t seq = prev;
    for (const auto entry : a.getEntries()) {
      ++seq;
      if (seq <= log_.last_seq()) {
        if (log_.term_at(seq) == entry.getTerm()) continue;
        assert(seq > commit_ && "a committed entry is never replaced");
        BOOST_OUTCOME_TRY(log_.truncate_from(seq));
      }
      BOOST_OUTCOME_TRY(log_.append(read_entry(entry)));
    }
    BOOST_OUTCOME_TRY(log_.sync());
    // Only the prefix this message vouched for is known to match the leader's log.
    const std::uint64_t verified = seq;
    commit_ = std::max(commit_, std::min(a.getCommitSeq(), verified));
    apply_committed();
    if (commit_ >= a.getCommitSeq()) {
      serving_ = true;
      voter_ = true;
    }
    ack(a.getLeader(), true, verified, a.getRound());
    return success();
  }

  void ack(std::uint32_t leader, bool ok, std::uint64_t match_seq, std::uint64_t round) {
    message<proto::AppendAck> m;
    m->setTerm(log_.term());
    m->setFrom(settings_.node);
    m->setSuccess(ok);
    m->setMatchSeq(match_seq);
    m->setRound(round);
    send(leader, std::move(m));
  }

  [[nodiscard]] result<void> on_append_ack(proto::AppendAck::Reader a) {
    if (a.getTerm() > log_.term()) {
      BOOST_OUTCOME_TRY(become_follower(a.getTerm()));
      return log_.sync();
    }
    if (role_ != replica_role::leader || a.getTerm() != log_.term()) return success();
    peer_progress* peer = progress_of(a.getFrom());
    if (peer == nullptr) return success();
    peer->last_ack = self_.now();
    // The peer was still in this term when it answered a message sent after every read
    // of this round arrived: no other leader had been elected then.
    confirmed_round_ = std::max(confirmed_round_, a.getRound());
    if (a.getSuccess()) {
      peer->match = std::max(peer->match, a.getMatchSeq());
      peer->next = std::max(peer->next, peer->match + 1);
      advance_commit();
    } else {
      // Below what it matched: a volatile replica that restarted and lost its log (or a
      // late answer, which costs only a resend).
      peer->match = std::min(peer->match, a.getMatchSeq());
      peer->next = std::max(peer->match + 1, std::min(peer->next - 1, a.getMatchSeq() + 1));
      send_append(*peer);
    }
    answer_reads();
    return success();
  }

  /// Commits what one peer also holds (with the leader, two of three), when it is of this
  /// leader's term (an older term's entry is committed only by one of this term after it).
  void advance_commit() {
    const std::uint64_t held = std::max(progress_[0].match, progress_[1].match);
    if (held <= commit_ || log_.term_at(held) != log_.term()) return;
    commit_ = held;
    serving_ = true;
    apply_committed();
    // Tell the peers at once, so that eventually consistent reads there catch up.
    broadcast();
  }

  void apply_committed() {
    while (applied_ < commit_) {
      ++applied_;
      const std::optional<applied_write> done = apply(applied_);
      // Two requests wait on one entry when a copy of a write arrived while it was
      // pending.
      const auto [first, end] = pending_writes_.equal_range(applied_);
      for (auto pending = first; pending != end; ++pending) {
        self_.reply(pending->second,
                    done ? write_answer(*done) : answer(proto::Outcome::OUTCOME_UNKNOWN));
      }
      pending_writes_.erase(first, end);
    }
  }

  /// Applies the entry at `seq`, a write once per token: what it did, for its client;
  /// empty for a no-op and for a copy of a write older than its client's last.
  std::optional<applied_write> apply(std::uint64_t seq) {
    const log_entry& e = log_.at(seq);
    if (e.kind == entry_kind::noop) return std::nullopt;
    switch (sessions_.of(e.client, e.sequence)) {
      case client_sessions::status::last:
        // Appended twice (by two leaders, each unaware of the other's copy): applied once.
        return sessions_.last_answer(e.client);
      case client_sessions::status::older:
        return std::nullopt;
      case client_sessions::status::fresh:
        break;
    }
    const applied_write done = apply_write(e, {.counter = seq, .writer = e.writer});
    sessions_.record(e.client, e.sequence, done);
    return done;
  }

  /// Applies a put or a cas with the version `v`.
  applied_write apply_write(const log_entry& e, kv::version v) {
    switch (e.kind) {
      case entry_kind::noop:
        return {};
      case entry_kind::put:
        state_.apply(e.key, e.value, v);
        return {v, true};
      case entry_kind::cas: {
        const kv::stored_value* found = state_.find(e.key);
        const bool matched =
            e.expected ? found != nullptr && found->value == *e.expected : found == nullptr;
        if (!matched) return {found != nullptr ? found->version : kv::version{}, false};
        state_.apply(e.key, e.value, v);
        return {v, true};
      }
    }
    return {};
  }

  void broadcast() {
    for (peer_progress& peer : progress_) send_append(peer);
    last_broadcast_ = self_.now();
  }

  void send_append(const peer_progress& peer) {
    const std::uint64_t prev = peer.next - 1;
    const std::uint64_t count =
        std::min<std::uint64_t>(log_.last_seq() - prev, settings_.timing.entries_per_append_max);
    message<proto::Append> m;
    m->setTerm(log_.term());
    m->setLeader(settings_.node);
    m->setPrevSeq(prev);
    m->setPrevTerm(log_.term_at(prev));
    auto entries = m->initEntries(static_cast<unsigned>(count));
    for (unsigned i = 0; i < count; ++i) write_entry(entries[i], log_.at(prev + 1 + i));
    m->setCommitSeq(commit_);
    m->setRound(round_);
    send(peer.node, std::move(m));
  }

  // --- election ---

  [[nodiscard]] result<void> on_vote(proto::Vote::Reader v) {
    if (v.getTerm() > log_.term()) {
      BOOST_OUTCOME_TRY(become_follower(v.getTerm()));
    }
    const std::uint64_t last_term = log_.term_at(log_.last_seq());
    const bool up_to_date = v.getLastTerm() > last_term ||
                            (v.getLastTerm() == last_term && v.getLastSeq() >= log_.last_seq());
    const bool grant = v.getTerm() == log_.term() && voter_ && up_to_date &&
                       (!log_.voted_for() || *log_.voted_for() == v.getCandidate());
    if (grant) {
      BOOST_OUTCOME_TRY(log_.set_term(log_.term(), v.getCandidate()));
      reset_election_deadline();
    }
    // The vote is durable before it is sent: a restarted replica never votes twice.
    BOOST_OUTCOME_TRY(log_.sync());
    message<proto::VoteAck> m;
    m->setTerm(log_.term());
    m->setFrom(settings_.node);
    m->setGranted(grant);
    send(v.getCandidate(), std::move(m));
    return success();
  }

  [[nodiscard]] result<void> on_vote_ack(proto::VoteAck::Reader a) {
    if (a.getTerm() > log_.term()) {
      BOOST_OUTCOME_TRY(become_follower(a.getTerm()));
      return log_.sync();
    }
    if (role_ != replica_role::candidate || a.getTerm() != log_.term() || !a.getGranted()) {
      return success();
    }
    // Its own vote and this one: two of three.
    if (progress_of(a.getFrom()) != nullptr) return become_leader();
    return success();
  }

  [[nodiscard]] result<void> start_election() {
    role_ = replica_role::candidate;
    leader_.reset();
    BOOST_OUTCOME_TRY(log_.set_term(log_.term() + 1, settings_.node));
    BOOST_OUTCOME_TRY(log_.sync());
    reset_election_deadline();
    for (const peer_progress& peer : progress_) {
      message<proto::Vote> m;
      m->setTerm(log_.term());
      m->setCandidate(settings_.node);
      m->setLastSeq(log_.last_seq());
      m->setLastTerm(log_.term_at(log_.last_seq()));
      send(peer.node, std::move(m));
    }
    return success();
  }

  [[nodiscard]] result<void> become_leader() {
    role_ = replica_role::leader;
    leader_ = settings_.node;
    for (peer_progress& peer : progress_) {
      peer.next = log_.last_seq() + 1;
      peer.match = 0;
      peer.last_ack = self_.now();
    }
    // An entry of its own term, committed, makes every earlier entry committed too.
    BOOST_OUTCOME_TRY(log_.append(
        log_entry{.term = log_.term(), .kind = entry_kind::noop, .writer = settings_.node}));
    BOOST_OUTCOME_TRY(log_.sync());
    broadcast();
    return success();
  }

  /// Moves to `term` (if newer) as a follower of no known leader; a leader that steps
  /// down tells its waiting clients.
  [[nodiscard]] result<void> become_follower(std::uint64_t term) {
    if (term > log_.term()) {
      BOOST_OUTCOME_TRY(log_.set_term(term, std::nullopt));
    }
    if (role_ == replica_role::leader) abandon_pending();
    role_ = replica_role::follower;
    leader_.reset();
    return success();
  }

  void abandon_pending() {
    // Not committed as far as this replica knows, but perhaps held by a peer that will
    // commit it as the next leader: the outcome is unknown.
    for (auto& [seq, request] : pending_writes_) {
      self_.reply(request, answer(proto::Outcome::OUTCOME_UNKNOWN));
    }
    pending_writes_.clear();
    for (pending_read& read : pending_reads_) {
      self_.reply(read.request, answer(proto::Outcome::NOT_LEADER));
    }
    pending_reads_.clear();
  }

  [[nodiscard]] result<void> on_tick() {
    const time_point now = self_.now();
    if (role_ == replica_role::leader) {
      const time_point heard = std::max(progress_[0].last_ack, progress_[1].last_ack);
      // Cut off from both peers: another leader may be elected, so stop taking writes
      // that could never commit here, and let clients find that one.
      if (now - heard >= settings_.timing.election_timeout_min) {
        BOOST_OUTCOME_TRY(become_follower(log_.term()));
        reset_election_deadline();
        return success();
      }
      if (now - last_broadcast_ >= settings_.timing.heartbeat) broadcast();
      return success();
    }
    if (voter_ && now >= election_deadline_) return start_election();
    return success();
  }

  void reset_election_deadline() {
    const auto low = settings_.timing.election_timeout_min.count();
    const auto high = std::max(low, settings_.timing.election_timeout_max.count());
    election_deadline_ = self_.now() + duration{settings_.random.between(low, high)};
  }

  // --- helpers ---

  [[nodiscard]] peer_progress* progress_of(std::uint32_t node) noexcept {
    for (peer_progress& peer : progress_) {
      if (peer.node == node) return &peer;
    }
    return nullptr;
  }

  template <class T>
  void send(std::uint32_t node, message<T>&& m) {
    // A peer that is down or not booted yet loses the message, as the network would;
    // heartbeats and elections retry.
    self_.tell(settings_.refs->get(node, directory_role(settings_.partition)), std::move(m));
  }

  actor_context& self_;
  replica_settings settings_;
  partition_log log_;
  replica_role role_ = replica_role::follower;
  std::optional<std::uint32_t> leader_;
  std::uint64_t commit_ = 0;
  std::uint64_t applied_ = 0;
  kv::versioned_map state_;
  /// Each client's last applied write, from the same entries as state_.
  client_sessions sessions_;
  /// Answers eventually consistent reads: caught up with a leader since it started.
  bool serving_ = false;
  /// Votes and campaigns; false for a rejoining volatile replica until it has caught up.
  bool voter_;
  time_point election_deadline_;
  std::array<peer_progress, 2> progress_;
  time_point last_broadcast_;
  /// Writes appended and not yet committed, by sequence (a write's copies wait on its one
  /// entry); reads in round order.
  std::multimap<std::uint64_t, envelope> pending_writes_;
  std::deque<pending_read> pending_reads_;
  /// The latest read round sent, and the latest a peer confirmed in this term.
  std::uint64_t round_ = 0;
  std::uint64_t confirmed_round_ = 0;
};

}  // namespace

std::string directory_role(std::uint32_t partition) {
  return "dynamo/" + std::to_string(partition);
}

task<result<void>> partition_replica(actor_context& self, replica_settings settings) {
  auto log = partition_log::open(std::move(settings.storage));
  if (!log) co_return log.error();
  replica r{self, std::move(settings), std::move(log).value()};
  r.start();
  for (;;) {
    envelope e = co_await self.receive();
    if (auto handled = r.handle(e); !handled) co_return handled.error();
  }
}

}  // namespace coact::policies::dynamo
