#include "coact/policies/txn/participant.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/placement.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/interval_clock.hpp"
#include "coact/runtime/system.capnp.h"
#include "record_log.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {
namespace {

using values = std::map<std::string, std::string>;

/// A transaction prepared here: what it would write, what it read, whom to ask.
struct prepared {
  std::uint32_t coordinator = 0;
  /// spanner: its prepare timestamp.
  std::uint64_t timestamp = 0;
  values writes;
  std::vector<std::pair<unsigned, std::optional<std::string>>> before;
  time_point at;
  bool asking = false;        // an Inquiry is in flight
  std::size_t inquiries = 0;  // unanswered, with a coordinator group
  time_point asked;
};

/// A vote: yes (prepared), or no with why and the key.
struct refusal {
  proto::Refusal why;
  std::string key;
};

class participant_state {
 public:
  participant_state(actor_context& self, participant_config config)
      : self_(self), config_(std::move(config)) {
    if (config_.epsilon) truetime_.emplace(self.system().clock(), *config_.epsilon);
    for (std::size_t i = 0; i < config_.groups.size(); ++i) {
      if (config_.groups[i] == config_.node) group_ = i;
    }
  }

  result<void> open() {
    BOOST_OUTCOME_TRY(log_, detail::record_log<proto::ParticipantRecord>::open(
                                std::move(config_.storage), [this](auto r) { return replay(r); }));
    return success();
  }

  void on_prepare(envelope& e, proto::Prepare::Reader m) {
    const txn_id id = detail::id_of(m.getId());
    if (const auto it = pending_.find(id); it != pending_.end()) {
      vote_yes(e, it->second);  // a copy of a prepare voted on already
      return;
    }
    if (finished(id)) {
      vote_no(e, {proto::Refusal::CONFLICT, {}});  // late: decided without this vote
      return;
    }
    prepared p{.coordinator = m.getCoordinator(), .at = self_.now()};
    if (auto no = run(id, m.getOps(), p)) {
      locks_.release(id);
      vote_no(e, *no);
      return;
    }
    if (config_.epsilon) {
      // Above every timestamp given or served here: the commit will be too.
      p.timestamp = std::max(detail::ns_of(truetime().latest), last_timestamp_ + 1);
      last_timestamp_ = p.timestamp;
    }
    capnp::MallocMessageBuilder record;
    write_prepare(record, id, p);
    if (!log(record)) return;
    const auto& kept = pending_.emplace(id, std::move(p)).first->second;
    vote_yes(e, kept);
  }

  void on_decision(proto::Decision::Reader d) {
    if (d.isPending()) return;
    decide(detail::id_of(d.getId()), d.isCommit(), d.getTimestamp());
  }

  /// spanner: a snapshot read, served without locks once no transaction prepared here at
  /// or below its timestamp is undecided (any later one commits above it).
  void on_read_at(envelope& e, proto::ReadAt::Reader r) {
    if (!config_.epsilon) {
      self_.reply_error(e, errc::invalid_argument);  // txn-2pc has no timestamps
      return;
    }
    if (r.getTimestamp() > detail::ns_of(truetime().latest + config_.read_ahead_max)) {
      self_.reply(e, make_message<proto::Snapshot>(
                         [](auto s) { s.setRefused(proto::Refusal::TOO_FAR_AHEAD); }));
      return;
    }
    if (blocked_at(r.getTimestamp())) {
      waiting_reads_.push_back(std::move(e));
      return;
    }
    serve(e);
  }

  /// Asks the coordinators of transactions prepared for a while what they decided.
  void inquire() {
    const time_point now = self_.now();
    for (auto& [id, p] : pending_) {
      if (p.asking || now - std::max(p.at, p.asked) < config_.inquiry_after) continue;
      p.asking = true;
      p.asked = now;
      self_.launch(ask_decision(id, asked_next(p)));
    }
  }

 private:
  /// Runs this participant's operations of a transaction on a copy, taking their locks;
  /// a refusal, or nothing once all ran.
  std::optional<refusal> run(txn_id id, capnp::List<proto::Op>::Reader ops, prepared& p) {
    for (unsigned i = 0; i < ops.size(); ++i) {
      const auto op = ops[i];
      std::string key = detail::text_of(op.getKey());
      if (group_of(key, config_.groups.size()) != group_) continue;
      const bool read = op.getKind() == proto::Op::Kind::READ;
      if (!locks_.acquire(key, id, !read)) return refusal{proto::Refusal::CONFLICT, key};
      std::optional<std::string> now = value(p, key);
      p.before.emplace_back(i, now);
      switch (op.getKind()) {
        case proto::Op::Kind::READ:
          break;
        case proto::Op::Kind::WRITE:
          p.writes[key] = detail::text_of(op.getValue());
          break;
        case proto::Op::Kind::APPEND:
          p.writes[key] =
              now ? *now + " " + detail::text_of(op.getValue()) : detail::text_of(op.getValue());
          break;
        case proto::Op::Kind::ADD: {
          if (!now) return refusal{proto::Refusal::UNKNOWN_KEY, key};
          std::int64_t balance = 0;
          const auto [end, error] =
              std::from_chars(now->data(), now->data() + now->size(), balance);
          const std::int64_t delta = op.getDelta();
          const bool overflow =
              delta > 0 ? balance > INT64_MAX - delta : balance < INT64_MIN - delta;
          if (error != std::errc{} || end != now->data() + now->size() || overflow ||
              balance + delta < 0) {
            return refusal{proto::Refusal::RULE_VIOLATED, key};
          }
          p.writes[key] = std::to_string(balance + delta);
          break;
        }
      }
    }
    return std::nullopt;
  }

  /// The key's value as the transaction sees it: its own write, else the committed one.
  [[nodiscard]] std::optional<std::string> value(const prepared& p, const std::string& key) const {
    if (const auto it = p.writes.find(key); it != p.writes.end()) return it->second;
    if (const auto it = store_.find(key); it != store_.end() && !it->second.empty()) {
      return it->second.rbegin()->second;
    }
    return std::nullopt;
  }

  void decide(txn_id id, bool commit, std::uint64_t timestamp) {
    const auto it = pending_.find(id);
    if (it == pending_.end()) {
      note_finished(id);  // never prepared here: a late prepare must not hold locks
      return;
    }
    capnp::MallocMessageBuilder record;
    auto decided = record.initRoot<proto::ParticipantRecord>().initDecided();
    detail::set_id(decided.initId(), id);
    decided.setCommit(commit);
    decided.setCommitTimestamp(timestamp);
    // A decision lost in a crash is asked for again: it need not be durable before acting.
    if (!log(record)) return;
    finish(it, commit, timestamp);
    if (config_.on_decided) config_.on_decided(config_.node, self_.now() - it->second.at, commit);
    pending_.erase(it);
    serve_unblocked();
  }

  /// Installs a committed transaction's writes as versions at its commit timestamp
  /// (txn-2pc: in the order applied), and releases its locks.
  void finish(std::map<txn_id, prepared>::iterator it, bool commit, std::uint64_t timestamp) {
    if (commit) {
      const std::uint64_t version = config_.epsilon ? timestamp : ++applied_;
      last_timestamp_ = std::max(last_timestamp_, timestamp);
      for (auto& [key, v] : it->second.writes) store_[key][version] = v;
    }
    locks_.release(it->first);
    note_finished(it->first);
  }

  [[nodiscard]] bool blocked_at(std::uint64_t timestamp) const {
    return std::any_of(pending_.begin(), pending_.end(),
                       [&](const auto& p) { return p.second.timestamp <= timestamp; });
  }

  /// Answers a snapshot read with this participant's keys' latest versions at or below
  /// its timestamp, and gives no later transaction a timestamp at or below it.
  void serve(envelope& e) {
    const auto r = e.get<proto::ReadAt>();
    const std::uint64_t at = r.getTimestamp();
    last_timestamp_ = std::max(last_timestamp_, at);
    std::vector<std::pair<unsigned, std::optional<std::string>>> found;
    for (unsigned i = 0; i < r.getKeys().size(); ++i) {
      const std::string key = detail::text_of(r.getKeys()[i]);
      if (group_of(key, config_.groups.size()) != group_) continue;
      std::optional<std::string> v;
      if (const auto k = store_.find(key); k != store_.end()) {
        const auto newer = k->second.upper_bound(at);
        if (newer != k->second.begin()) v = std::prev(newer)->second;
      }
      found.emplace_back(i, std::move(v));
    }
    message<proto::Snapshot> out;
    auto list = out->initValues(static_cast<unsigned>(found.size()));
    for (unsigned i = 0; i < found.size(); ++i) {
      detail::set_before(list[i], found[i].first, found[i].second);
    }
    self_.reply(e, std::move(out));
  }

  void serve_unblocked() {
    std::erase_if(waiting_reads_, [this](envelope& e) {
      if (blocked_at(e.get<proto::ReadAt>().getTimestamp())) return false;
      serve(e);
      return true;
    });
  }

  [[nodiscard]] time_interval truetime() const { return truetime_->now(); }

  /// Whom to ask next: the coordinator, or with a coordinator group, from it (or the leader
  /// a member pointed at) each member in turn that does not answer, so that the inquiries
  /// find the leader.
  std::uint32_t asked_next(const prepared& p) const {
    const auto& group = config_.coordinators;
    const auto from = std::find(group.begin(), group.end(), p.coordinator);
    if (from == group.end()) return p.coordinator;
    const auto first = static_cast<std::size_t>(from - group.begin());
    return group[(first + p.inquiries) % group.size()];
  }

  task<void> ask_decision(txn_id id, std::uint32_t coordinator) {
    message<proto::Inquiry> q;
    detail::set_id(q->initId(), id);
    auto answer = co_await self_.ask<proto::Decision>(
        config_.directory->get(coordinator, coordinator_role), std::move(q), config_.inquiry_after);
    const auto it = pending_.find(id);
    if (it == pending_.end()) co_return;
    prepared& p = it->second;
    p.asking = false;
    if (!answer) {
      ++p.inquiries;  // asked again later: the next member
      co_return;
    }
    const auto d = answer.value().get<proto::Decision>();
    // Asked again later: the leader a member that does not lead points at, else the same.
    if (d.isPending() && d.getLeader() >= 0) {
      p.coordinator = static_cast<std::uint32_t>(d.getLeader());
      p.inquiries = 0;
      p.asked = p.at;  // at the next tick: a hint is worth following at once
    }
    on_decision(d);
  }

  void write_prepare(capnp::MessageBuilder& record, txn_id id, const prepared& p) const {
    auto r = record.initRoot<proto::ParticipantRecord>().initPrepared();
    detail::set_id(r.initId(), id);
    r.setCoordinator(p.coordinator);
    r.setAt(p.at.since_epoch.count());
    r.setTimestamp(p.timestamp);
    auto before = r.initBefore(static_cast<unsigned>(p.before.size()));
    for (unsigned i = 0; i < p.before.size(); ++i) {
      detail::set_before(before[i], p.before[i].first, p.before[i].second);
    }
    const auto held = locks_.held(id);
    auto locks = r.initLocks(static_cast<unsigned>(held.size()));
    for (unsigned i = 0; i < held.size(); ++i) {
      locks[i].setKey(held[i].first);
      locks[i].setExclusive(held[i].second);
    }
    auto writes = r.initWrites(static_cast<unsigned>(p.writes.size()));
    unsigned i = 0;
    for (const auto& [key, v] : p.writes) {
      writes[i].setKey(key);
      writes[i].setValue(v);
      ++i;
    }
  }

  /// Appends and syncs `record`; on failure stops this actor with the storage's error (a
  /// participant that cannot keep its promises must not vote).
  bool log(capnp::MessageBuilder& record) {
    const auto logged = log_.append(record);
    if (!logged) self_.stop(self_.ref(), logged.error());
    return static_cast<bool>(logged);
  }

  /// Applies one record read back at start; false if it contradicts the others.
  bool replay(proto::ParticipantRecord::Reader record) {
    if (record.isDecided()) {
      const auto d = record.getDecided();
      const auto it = pending_.find(detail::id_of(d.getId()));
      if (it != pending_.end()) {
        finish(it, d.getCommit(), d.getCommitTimestamp());
        pending_.erase(it);
      }
      return true;
    }
    const auto r = record.getPrepared();
    const txn_id id = detail::id_of(r.getId());
    prepared p{.coordinator = r.getCoordinator(),
               .timestamp = r.getTimestamp(),
               .at = time_point{duration{r.getAt()}}};
    last_timestamp_ = std::max(last_timestamp_, p.timestamp);
    for (const auto b : r.getBefore()) p.before.emplace_back(b.getIndex(), detail::value_of(b));
    for (const auto w : r.getWrites()) {
      p.writes[detail::text_of(w.getKey())] = detail::text_of(w.getValue());
    }
    for (const auto l : r.getLocks()) {
      if (!locks_.acquire(detail::text_of(l.getKey()), id, l.getExclusive())) return false;
    }
    pending_[id] = std::move(p);
    return true;
  }

  void vote_yes(envelope& e, const prepared& p) {
    message<proto::Vote> v;
    v->setTimestamp(p.timestamp);
    auto yes = v->initYes(static_cast<unsigned>(p.before.size()));
    for (unsigned i = 0; i < p.before.size(); ++i) {
      detail::set_before(yes[i], p.before[i].first, p.before[i].second);
    }
    self_.reply(e, std::move(v));
  }

  void vote_no(envelope& e, const refusal& r) {
    message<proto::Vote> v;
    auto no = v->initNo();
    no.setWhy(r.why);
    no.setKey(r.key);
    self_.reply(e, std::move(v));
  }

  /// A client runs one transaction at a time and numbers them upwards: once one of its
  /// transactions is decided here, a prepare of an earlier one is late.
  void note_finished(txn_id id) {
    std::uint64_t& latest = finished_[id.client];
    latest = std::max(latest, id.sequence);
  }
  [[nodiscard]] bool finished(txn_id id) const {
    const auto it = finished_.find(id.client);
    return it != finished_.end() && id.sequence <= it->second;
  }

  actor_context& self_;
  participant_config config_;
  std::size_t group_ = 0;
  std::optional<interval_clock> truetime_;  // spanner
  detail::record_log<proto::ParticipantRecord> log_;
  /// Per key, its committed versions by commit timestamp (txn-2pc: by the order applied).
  std::map<std::string, std::map<std::uint64_t, std::string>> store_;
  std::uint64_t applied_ = 0;
  /// spanner: the highest timestamp given to a prepare, applied, or served to a read.
  std::uint64_t last_timestamp_ = 0;
  std::vector<envelope> waiting_reads_;
  lock_table locks_;
  std::map<txn_id, prepared> pending_;
  std::map<std::uint64_t, std::uint64_t> finished_;  // per client: its latest decided
};

}  // namespace

task<result<void>> participant(actor_context& self, participant_config config) {
  // Ticks finer than inquiry_after, so that an inquiry goes soon after it is due.
  const duration period = config.inquiry_after / 5;
  participant_state state{self, std::move(config)};
  BOOST_OUTCOME_CO_TRY(state.open());
  self.tick_every(period);
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<proto::Prepare>([&](envelope& p, auto m) { state.on_prepare(p, m); }),
             on<proto::Decision>([&](envelope&, auto d) { state.on_decision(d); }),
             on<proto::ReadAt>([&](envelope& r, auto m) { state.on_read_at(r, m); }),
             on<sys::Tick>([&](envelope&) { state.inquire(); }));
  }
}

}  // namespace coact::policies::txn
