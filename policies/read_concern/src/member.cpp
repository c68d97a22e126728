#include "member.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "client_table.hpp"
#include "coact/policies/read_concern/read_concern.capnp.h"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/system.capnp.h"
#include "entry_codec.hpp"
#include "member_store.hpp"
#include "oplog.hpp"
#include "snapshot_map.hpp"

namespace coact::policies::read_concern {
namespace {

op_time op_time_of(proto::OpTime::Reader r) { return {r.getTerm(), r.getIndex()}; }

void set_op_time(proto::OpTime::Builder b, op_time t) {
  b.setTerm(t.term);
  b.setIndex(t.index);
}

duration to_duration_ms(std::uint32_t ms) { return std::chrono::milliseconds{ms}; }

/// Client requests a member holds at most while they wait (each for at most its waitMs);
/// beyond it, new ones are refused with errc::overloaded before anything is done.
constexpr std::size_t pending_max = 1024;

/// A client read waiting for its concern or its session's token.
struct pending_read {
  envelope request;
  std::string key;
  proto::ReadConcern concern;
  op_time after;
  time_point deadline;
  /// linearizable only: the oplog index the commit point must reach, and the heartbeat
  /// round a majority must have answered (one sent after the read arrived).
  std::uint64_t read_index = 0;
  std::uint64_t round = 0;
};

/// A w:majority write in the primary's oplog, waiting for a majority to have it.
struct pending_write {
  envelope request;
  write_answer answer;
  time_point deadline;
};

/// What the primary knows of one secondary.
struct peer_progress {
  std::uint64_t next = 1;   // the next index to send
  std::uint64_t match = 0;  // the last index known to match the primary's oplog
  time_point heard;         // when it last answered in this term
  std::uint64_t round = 0;  // the latest heartbeat round it answered
};

/// One member's state and its handlers; run_member drives it. Everything runs on the
/// member actor's shard.
class member {
 public:
  explicit member(member_setup setup) : setup_(std::move(setup)) {
    for (const std::uint32_t n : setup_.members) {
      if (n != setup_.node) peers_.emplace(n, peer_progress{});
    }
  }

  [[nodiscard]] result<void> recover() {
    member_memory memory;
    auto store = member_store::open(std::move(setup_.storage), memory);
    if (!store) return store.error();
    store_ = std::move(store).value();
    term_ = memory.term;
    voted_for_ = memory.voted_for;
    for (auto& e : memory.entries) append_and_apply(std::move(e));
    return success();
  }

  void start(actor_context& self) {
    reset_election_deadline(self);
    publish();
  }

  /// Handles one message; an error stops the member.
  [[nodiscard]] result<void> handle(actor_context& self, envelope& e) {
    // Client requests beyond pending_max are refused rather than queued without bound.
    const auto full = [&] { return reads_.size() + writes_.size() >= pending_max; };
    dispatch(e, on<sys::Tick>([&](envelope&) { on_tick(self); }),
             on<proto::AppendEntries>([&](envelope& m) { on_append(self, m); }),
             on<proto::AppendReply>([&](envelope&, auto m) { on_append_reply(self, m); }),
             on<proto::RequestVote>([&](envelope& m) { on_request_vote(self, m); }),
             on<proto::VoteReply>([&](envelope&, auto m) { on_vote_reply(self, m); }),
             on<proto::ClientRead>([&](envelope& read) {
               if (full()) {
                 self.reply_error(read, errc::overloaded);
               } else {
                 on_read(self, std::move(read));
               }
             }),
             on<proto::ClientWrite>([&](envelope& write) {
               if (full()) {
                 self.reply_error(write, errc::overloaded);
               } else {
                 on_write(self, std::move(write));
               }
             }));
    if (failure_) return failure_;
    publish();
    return success();
  }

 private:
  [[nodiscard]] std::size_t majority() const noexcept { return setup_.members.size() / 2 + 1; }
  [[nodiscard]] op_time commit_point() const noexcept { return {log_.term_at(commit_), commit_}; }

  void publish() const {
    setup_.status->publish(setup_.node, {role_, term_, log_.last(), commit_, setup_.voter});
  }

  void send(actor_context& self, std::uint32_t node, envelope&& e) {
    self.tell(setup_.directory->get(node, member_directory_role), std::move(e));
  }

  /// Remembers a storage failure: the member stops after this message, having answered
  /// nothing that depended on what it could not save.
  bool saved(result<void> r) {
    if (!r && !failure_) failure_ = r.error();
    return !failure_;
  }

  void reset_election_deadline(actor_context& self) {
    const auto low = setup_.timing.election_min.count();
    const auto high = setup_.timing.election_max.count();
    election_deadline_ = self.now() + duration{setup_.random.between(low, high)};
  }

  // ---- the oplog and the data ----

  /// Appends `e` to the oplog and applies it to the data, and to the client table if it
  /// came from a client's request. What its client is told.
  write_answer append_and_apply(entry e) {
    const std::uint64_t index = log_.last_index() + 1;
    write_answer answer{.sequence = e.sequence, .position = {e.term, index}};
    if (e.kind == entry_kind::cas) {
      const snapshot_value* current = data_.read(e.key, index - 1);
      answer.matched = e.expected ? current != nullptr && current->value == *e.expected : !current;
    }
    if (e.kind != entry_kind::noop && answer.matched) {
      data_.write(e.key, e.value, answer.position, e.primary, commit_);
    }
    if (e.kind != entry_kind::noop) {
      if (const snapshot_value* v = data_.read(e.key, index)) answer.found = *v;
    }
    if (e.client != 0) clients_.record(e.client, answer, commit_);
    log_.append(std::move(e));
    return answer;
  }

  /// Appends a new entry and saves it (the caller syncs before answering). What its client
  /// is told, unless saving failed.
  std::optional<write_answer> append_entry(entry e) {
    const std::uint64_t index = log_.last_index() + 1;
    if (!saved(store_.save_append(index, e))) return std::nullopt;
    return append_and_apply(std::move(e));
  }

  /// Cuts the oplog after `index`: the entries after it were never majority-committed and
  /// the new primary's oplog has others there. Each cut write is reported as rolled back.
  bool roll_back_after(std::uint64_t index) {
    assert(index >= commit_);
    if (!saved(store_.save_truncate_after(index))) return false;
    data_.drop_after(index);
    clients_.drop_after(index);
    std::uint64_t position = index;
    for (auto& e : log_.truncate_after(index)) {
      ++position;
      if (e.kind == entry_kind::noop) continue;
      setup_.rollbacks->record({.node = setup_.node,
                                .position = {e.term, position},
                                .key = std::move(e.key),
                                .value = std::move(e.value),
                                .is_cas = e.kind == entry_kind::cas});
    }
    return true;
  }

  // ---- terms and roles ----

  /// Moves to `term` as a secondary without a vote (a higher term was seen).
  bool adopt_term(actor_context& self, std::uint64_t term) {
    assert(term > term_);
    term_ = term;
    voted_for_.reset();
    primary_.reset();
    if (!saved(store_.save_vote(term_, voted_for_))) return false;
    become_secondary(self);
    return true;
  }

  void become_secondary(actor_context& self) {
    if (role_ == member_role::primary) {
      // Writes in the oplog may still commit under the next primary: their outcome is
      // unknown. Linearizable reads were not served: they can be retried.
      for (auto& w : writes_) reply_status(self, w.request, proto::Status::UNCONFIRMED);
      writes_.clear();
      std::erase_if(reads_, [&](pending_read& r) {
        if (r.concern != proto::ReadConcern::LINEARIZABLE) return false;
        reply_status(self, r.request, proto::Status::NOT_PRIMARY);
        return true;
      });
      primary_.reset();
    }
    role_ = member_role::secondary;
    votes_.clear();
    reset_election_deadline(self);
  }

  void start_election(actor_context& self) {
    ++term_;
    role_ = member_role::candidate;
    voted_for_ = setup_.node;
    primary_.reset();
    votes_ = {setup_.node};
    if (!saved(store_.save_vote(term_, voted_for_)) || !saved(store_.sync())) return;
    reset_election_deadline(self);
    if (votes_.size() >= majority()) {
      become_primary(self);
      return;
    }
    for (const auto& [node, peer] : peers_) {
      message<proto::RequestVote> m;
      m->setTerm(term_);
      m->setCandidate(setup_.node);
      m->setLastIndex(log_.last_index());
      m->setLastTerm(log_.last().term);
      send(self, node, std::move(m).take());
    }
  }

  void become_primary(actor_context& self) {
    role_ = member_role::primary;
    primary_ = setup_.node;
    votes_.clear();
    const time_point now = self.now();
    primary_since_ = now;
    for (auto& [node, peer] : peers_) peer = {.next = log_.last_index() + 1, .heard = now};
    // A primary commits entries of earlier terms only by committing one of its own.
    if (!append_entry({.term = term_, .kind = entry_kind::noop, .primary = setup_.node}) ||
        !saved(store_.sync())) {
      return;
    }
    broadcast(self);
    advance_commit(self);
  }

  // ---- replication, primary side ----

  void send_entries(actor_context& self, std::uint32_t node, peer_progress& peer) {
    const std::uint64_t prev = peer.next - 1;
    const std::uint64_t count =
        std::min<std::uint64_t>(log_.last_index() - prev, setup_.timing.batch_entries_max);
    message<proto::AppendEntries> m;
    m->setTerm(term_);
    m->setLeader(setup_.node);
    m->setPrevIndex(prev);
    m->setPrevTerm(log_.term_at(prev));
    auto entries = m->initEntries(static_cast<unsigned>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
      write_entry(entries[static_cast<unsigned>(i)], log_.at(prev + 1 + i));
    }
    m->setCommitIndex(commit_);
    m->setLeaderLastIndex(log_.last_index());
    m->setRound(round_);
    send(self, node, std::move(m).take());
    // Sent ahead: a lost message shows up as a rejection that moves `next` back.
    peer.next = prev + 1 + count;
  }

  /// Sends every secondary what it lacks (or a heartbeat), as a new round.
  void broadcast(actor_context& self) {
    ++round_;
    for (auto& [node, peer] : peers_) send_entries(self, node, peer);
    heartbeat_due_ = self.now() + setup_.timing.heartbeat;
  }

  void advance_commit(actor_context& self) {
    for (std::uint64_t n = log_.last_index(); n > commit_ && log_.term_at(n) == term_; --n) {
      const auto have = 1 + std::count_if(peers_.begin(), peers_.end(),
                                          [n](const auto& p) { return p.second.match >= n; });
      if (static_cast<std::size_t>(have) >= majority()) {
        commit_ = n;
        break;
      }
    }
    serve_pending(self);
  }

  void on_append_reply(actor_context& self, proto::AppendReply::Reader m) {
    if (m.getTerm() > term_) {
      adopt_term(self, m.getTerm());
      return;
    }
    const auto it = peers_.find(m.getFrom());
    if (role_ != member_role::primary || m.getTerm() != term_ || it == peers_.end()) return;
    peer_progress& peer = it->second;
    peer.heard = self.now();
    peer.round = std::max(peer.round, m.getRound());
    if (m.getSuccess()) {
      peer.match = std::max(peer.match, m.getMatchIndex());
      peer.next = std::max(peer.next, peer.match + 1);
      if (peer.next <= log_.last_index()) send_entries(self, it->first, peer);
      advance_commit(self);
    } else {
      peer.next = std::max(peer.match + 1, std::min(peer.next, m.getResumeIndex()));
      send_entries(self, it->first, peer);
      serve_pending(self);
    }
  }

  // ---- replication, secondary side ----

  void reply_append(actor_context& self, envelope& request, bool success, std::uint64_t match,
                    std::uint64_t resume, std::uint64_t round) {
    message<proto::AppendReply> m;
    m->setTerm(term_);
    m->setFrom(setup_.node);
    m->setSuccess(success);
    m->setMatchIndex(match);
    m->setResumeIndex(resume);
    m->setRound(round);
    self.tell(request.sender(), std::move(m));
  }

  void on_append(actor_context& self, envelope& e) {
    const auto m = e.get<proto::AppendEntries>();
    if (m.getTerm() < term_) {
      reply_append(self, e, false, 0, 0, m.getRound());
      return;
    }
    if (m.getTerm() > term_ && !adopt_term(self, m.getTerm())) return;
    if (role_ != member_role::secondary) become_secondary(self);
    primary_ = m.getLeader();
    reset_election_deadline(self);

    const std::uint64_t prev = m.getPrevIndex();
    if (prev > log_.last_index()) {
      reply_append(self, e, false, 0, log_.last_index() + 1, m.getRound());
      return;
    }
    if (log_.term_at(prev) != m.getPrevTerm()) {
      reply_append(self, e, false, 0, std::max(log_.first_of_term(prev), commit_ + 1),
                   m.getRound());
      return;
    }
    std::uint64_t index = prev;
    for (const auto wire : m.getEntries()) {
      ++index;
      if (index <= log_.last_index()) {
        if (log_.term_at(index) == wire.getTerm()) continue;  // already have it
        if (!roll_back_after(index - 1)) return;
      }
      if (!append_entry(read_entry(wire))) return;
    }
    // Everything up to `index` now matches the primary's oplog.
    commit_ = std::max(commit_, std::min(m.getCommitIndex(), index));
    if (!saved(store_.sync())) return;
    reply_append(self, e, true, index, 0, m.getRound());
    serve_pending(self);
  }

  // ---- elections ----

  void on_request_vote(actor_context& self, envelope& e) {
    const auto m = e.get<proto::RequestVote>();
    if (m.getTerm() > term_ && !adopt_term(self, m.getTerm())) return;
    const op_time candidate_last{m.getLastTerm(), m.getLastIndex()};
    const bool granted = m.getTerm() == term_ && setup_.voter && role_ == member_role::secondary &&
                         (!voted_for_ || *voted_for_ == m.getCandidate()) &&
                         candidate_last >= log_.last();
    if (granted) {
      voted_for_ = m.getCandidate();
      if (!saved(store_.save_vote(term_, voted_for_)) || !saved(store_.sync())) return;
      reset_election_deadline(self);
    }
    message<proto::VoteReply> reply;
    reply->setTerm(term_);
    reply->setFrom(setup_.node);
    reply->setGranted(granted);
    self.tell(e.sender(), std::move(reply));
  }

  void on_vote_reply(actor_context& self, proto::VoteReply::Reader m) {
    if (m.getTerm() > term_) {
      adopt_term(self, m.getTerm());
      return;
    }
    if (role_ != member_role::candidate || m.getTerm() != term_ || !m.getGranted()) return;
    votes_.insert(m.getFrom());
    if (votes_.size() >= majority()) become_primary(self);
  }

  // ---- timers ----

  void on_tick(actor_context& self) {
    const time_point now = self.now();
    std::erase_if(reads_, [&](pending_read& r) {
      if (r.deadline > now) return false;
      reply_status(self, r.request, proto::Status::WAIT_TIMEOUT);
      return true;
    });
    std::erase_if(writes_, [&](pending_write& w) {
      if (w.deadline > now) return false;
      reply_status(self, w.request, proto::Status::UNCONFIRMED);
      return true;
    });
    if (role_ == member_role::primary) {
      if (cut_off(now)) {
        become_secondary(self);
      } else if (now >= heartbeat_due_) {
        broadcast(self);
      }
    } else if (setup_.voter && now >= election_deadline_) {
      start_election(self);
    }
  }

  /// Whether this primary has heard from no majority for its step-down time: it then
  /// steps down rather than go on taking w:1 writes that a new primary will roll back.
  [[nodiscard]] bool cut_off(time_point now) const {
    const auto& limit = setup_.timing.step_down_after;
    if (!limit || now - primary_since_ < *limit) return false;
    const auto heard = 1 + std::count_if(peers_.begin(), peers_.end(), [&](const auto& p) {
                         return now - p.second.heard < *limit;
                       });
    return static_cast<std::size_t>(heard) < majority();
  }

  // ---- clients ----

  void fill_hint(proto::ClientReply::Builder b) const {
    b.setHasPrimary(primary_.has_value());
    b.setPrimary(primary_.value_or(0));
  }

  void reply_status(actor_context& self, envelope& request, proto::Status status) {
    message<proto::ClientReply> m;
    m->setStatus(status);
    fill_hint(m.builder());
    self.reply(request, std::move(m));
  }

  /// Answers with value `v` (null: the key has none).
  void reply_value(actor_context& self, envelope& request, const snapshot_value* v, bool matched,
                   op_time operation_time) {
    message<proto::ClientReply> m;
    m->setStatus(proto::Status::OK);
    if (v != nullptr) {
      m->setPresent(true);
      m->setValue(v->value);
      set_op_time(m->initVersion(), v->written);
      m->setWriter(v->writer);
    }
    m->setMatched(matched);
    set_op_time(m->initOperationTime(), operation_time);
    fill_hint(m.builder());
    self.reply(request, std::move(m));
  }

  [[nodiscard]] bool read_ready(const pending_read& r) const {
    switch (r.concern) {
      case proto::ReadConcern::AVAILABLE:
        return true;
      case proto::ReadConcern::LOCAL:
        return log_.last() >= r.after;
      case proto::ReadConcern::MAJORITY:
        return commit_point() >= r.after;
      case proto::ReadConcern::LINEARIZABLE: {
        if (role_ != member_role::primary || commit_ < r.read_index) return false;
        const auto confirmed = 1 + std::count_if(peers_.begin(), peers_.end(), [&](const auto& p) {
                                 return p.second.round >= r.round;
                               });
        return static_cast<std::size_t>(confirmed) >= majority();
      }
    }
    return false;
  }

  void serve_read(actor_context& self, pending_read& r) {
    const bool committed_state =
        r.concern == proto::ReadConcern::MAJORITY || r.concern == proto::ReadConcern::LINEARIZABLE;
    const op_time at = committed_state ? commit_point() : log_.last();
    reply_value(self, r.request, data_.read(r.key, at.index), true, at);
  }

  void serve_pending(actor_context& self) {
    std::erase_if(reads_, [&](pending_read& r) {
      if (!read_ready(r)) return false;
      serve_read(self, r);
      return true;
    });
    std::erase_if(writes_, [&](pending_write& w) {
      if (commit_ < w.answer.position.index) return false;
      reply_write(self, w.request, w.answer);
      return true;
    });
  }

  /// Answers an applied write (or cas).
  void reply_write(actor_context& self, envelope& request, const write_answer& answer) {
    reply_value(self, request, answer.found ? &*answer.found : nullptr, answer.matched,
                answer.position);
  }

  /// Answers an applied write once its write concern is met.
  void answer_write(actor_context& self, envelope e, const write_answer& answer) {
    const bool met = e.get<proto::ClientWrite>().getConcern() == proto::WriteConcern::ONE ||
                     commit_ >= answer.position.index;
    if (met) {
      reply_write(self, e, answer);
      return;
    }
    const auto wait = to_duration_ms(e.get<proto::ClientWrite>().getWaitMs());
    writes_.push_back({.request = std::move(e), .answer = answer, .deadline = self.now() + wait});
  }

  void on_read(actor_context& self, envelope e) {
    const auto m = e.get<proto::ClientRead>();
    pending_read r{.key = m.getKey(),
                   .concern = m.getConcern(),
                   .after = op_time_of(m.getAfter()),
                   .deadline = self.now() + to_duration_ms(m.getWaitMs())};
    if (r.concern == proto::ReadConcern::LINEARIZABLE) {
      if (role_ != member_role::primary) {
        reply_status(self, e, proto::Status::NOT_PRIMARY);
        return;
      }
      r.read_index = log_.last_index();
      r.round = round_ + 1;
      r.request = std::move(e);
      reads_.push_back(std::move(r));
      broadcast(self);  // the round that confirms this member is still primary
      return;
    }
    r.request = std::move(e);
    if (read_ready(r)) {
      serve_read(self, r);
    } else {
      reads_.push_back(std::move(r));
    }
  }

  void on_write(actor_context& self, envelope e) {
    const auto m = e.get<proto::ClientWrite>();
    // A primary that has not reached the session's token is a stale one: refuse, so the
    // client finds the primary that has.
    if (role_ != member_role::primary || log_.last() < op_time_of(m.getAfter())) {
      reply_status(self, e, proto::Status::NOT_PRIMARY);
      return;
    }
    // A request already in the oplog (a copy the network delivered twice, or a retry) is
    // answered as it was the first time, once its concern is met; a copy older than the
    // client's latest write comes after the client stopped waiting for it (one operation
    // at a time): it must not apply, and its outcome is unknown to whoever sees the answer.
    if (const write_answer* done = m.getClient() != 0 ? clients_.last(m.getClient()) : nullptr;
        done != nullptr && m.getSequence() <= done->sequence) {
      if (m.getSequence() < done->sequence) {
        reply_status(self, e, proto::Status::UNCONFIRMED);
      } else {
        answer_write(self, std::move(e), *done);
      }
      return;
    }
    entry written{.term = term_,
                  .kind = m.getIsCas() ? entry_kind::cas : entry_kind::put,
                  .key = m.getKey(),
                  .value = m.getValue(),
                  .primary = setup_.node,
                  .client = m.getClient(),
                  .sequence = m.getSequence()};
    if (m.getIsCas() && m.getExpectedPresent()) written.expected = std::string{m.getExpected()};
    const auto answer = append_entry(std::move(written));
    if (!answer || !saved(store_.sync())) return;
    answer_write(self, std::move(e), *answer);
    broadcast(self);
    advance_commit(self);
  }

  member_setup setup_;
  member_store store_;
  oplog log_;
  snapshot_map data_;
  client_table clients_;
  std::uint64_t term_ = 0;
  std::optional<std::uint32_t> voted_for_;
  member_role role_ = member_role::secondary;
  std::optional<std::uint32_t> primary_;  // as far as this member knows
  std::uint64_t commit_ = 0;
  time_point election_deadline_;
  std::set<std::uint32_t> votes_;  // candidate only
  // Primary only:
  std::map<std::uint32_t, peer_progress> peers_;
  std::uint64_t round_ = 0;  // the last heartbeat round sent
  time_point heartbeat_due_;
  time_point primary_since_;
  std::vector<pending_write> writes_;
  std::vector<pending_read> reads_;
  std::error_code failure_;
};

}  // namespace

task<result<void>> run_member(actor_context& self, member_setup setup) {
  const duration tick = setup.timing.tick;
  member m{std::move(setup)};
  BOOST_OUTCOME_CO_TRY(m.recover());
  self.tick_every(tick);
  m.start(self);
  for (;;) {
    envelope e = co_await self.receive();
    BOOST_OUTCOME_CO_TRY(m.handle(self, e));
  }
}

}  // namespace coact::policies::read_concern
