#include "member.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/replication/applied_writes.hpp"
#include "coact/policies/read_concern/read_concern.capnp.h"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/system.capnp.h"
#include "snapshot_map.hpp"

namespace coact::policies::read_concern {
namespace {

using replication::command;

op_time op_time_of(proto::OpTime::Reader r) { return {r.getTerm(), r.getIndex()}; }

void set_op_time(proto::OpTime::Builder b, op_time t) {
  b.setTerm(t.term);
  b.setIndex(t.index);
}

time_point deadline_of(time_point now, std::uint32_t wait_ms) {
  return now + std::chrono::milliseconds{wait_ms};
}

/// Client requests a member holds at most while they wait (each for at most its waitMs);
/// beyond it, new ones are refused with errc::overloaded before anything is done.
constexpr std::size_t pending_max = 1024;

/// What applying one client write did, as its client is told (again, if it asks again).
struct write_answer {
  /// The write's oplog entry.
  op_time position;
  /// cas only: false when the value found was not the one expected (nothing written).
  bool matched = true;
  /// The key's value after the entry: the write's own, or for a cas that did not match, the
  /// one found (none: the key had no value).
  std::optional<snapshot_value> found;
};

/// A client read waiting for its concern or its session's token.
struct pending_read {
  envelope request;
  std::string key;
  proto::ReadConcern concern;
  op_time after;
  time_point deadline;
  /// linearizable only: the core's ReadIndex ticket, and whether the core has confirmed it.
  std::uint64_t ticket = 0;
  bool confirmed = false;
};

/// A w:majority write in the primary's oplog, waiting for a majority to have it.
struct pending_write {
  envelope request;
  write_answer answer;
  time_point deadline;
};

member_role role_of(replication::raft_role role) {
  switch (role) {
    case replication::raft_role::leader:
      return member_role::primary;
    case replication::raft_role::precandidate:
    case replication::raft_role::candidate:
      return member_role::candidate;
    case replication::raft_role::follower:
      break;
  }
  return member_role::secondary;
}

/// One member: the replication core, and what read_concern keeps beside it. The core's log
/// is the oplog; each entry is applied to the snapshot map as it is appended (local reads
/// see it at once) and taken out again if it is cut off (a rollback); the commit point is
/// what majority reads and w:majority writes wait for.
class member {
 public:
  member(actor_context& self, member_config config, replication::term_log log)
      : config_(std::move(config)),
        core_(replication::raft_options{.node = config_.node,
                                        .members = config_.members,
                                        .timing = config_.timing,
                                        .votes = config_.voter ? replication::voting::always
                                                               : replication::voting::never,
                                        .random = config_.random},
              replication::raft_hooks{
                  .send =
                      [this, &self](std::uint32_t to, envelope&& e) {
                        self.tell(config_.directory->get(to, member_directory_role), std::move(e));
                      },
                  .apply = [this](std::uint64_t index,
                                  const replication::entry& e) { committed(index, e); },
                  .appended = [this](std::uint64_t index,
                                     const replication::entry& e) { appended(index, e); },
                  .truncated =
                      [this](std::uint64_t index, std::span<const replication::entry> removed) {
                        truncated(index, removed);
                      },
                  .role_changed = [this](replication::raft_role role,
                                         std::uint64_t) { role_changed(role); },
                  .read_ready = [this](std::uint64_t ticket) { read_ready(ticket); },
              },
              std::move(log), self.now()) {}

  task<result<void>> run(actor_context& self) {
    self.tick_every(config_.tick);
    publish();
    return core_.run(self, [this, &self](envelope& e) { handle(self, e); });
  }

 private:
  void handle(actor_context& self, envelope& e) {
    // Client requests beyond pending_max are refused rather than queued without bound.
    const bool full = reads_.size() + writes_.size() >= pending_max;
    dispatch(e, on<sys::Tick>([&](envelope&) {
               expire(self.now());
               publish();
             }),
             on<proto::ClientRead>([&](envelope& read) {
               if (full) {
                 self.reply_error(read, errc::overloaded);
               } else {
                 on_read(self, std::move(read));
               }
             }),
             on<proto::ClientWrite>([&](envelope& write) {
               if (full) {
                 self.reply_error(write, errc::overloaded);
               } else {
                 on_write(self, std::move(write));
               }
             }));
  }

  void publish() const {
    config_.status->publish(config_.node, {role_of(core_.role()), core_.term(), last_,
                                           committed_.index, config_.voter});
  }

  // ---- the core's hooks ----

  void appended(std::uint64_t index, const replication::entry& e) {
    last_ = {e.term, index};
    const command& c = e.command;
    if (c.what != command::kind::noop) {
      const snapshot_value* current = data_.read(c.key, index - 1);
      const bool matched =
          c.what == command::kind::put ||
          (c.expected ? current != nullptr && current->value == *c.expected : current == nullptr);
      if (matched) data_.write(c.key, c.value, last_, c.writer, committed_.index);
      applied_.record(c.client, c.sequence, index, answer_at(index, e), committed_.index);
    }
    serve_pending();
  }

  /// The entries after `index` were cut from the oplog: never majority-committed, they are
  /// not in the new primary's. Each write among them is reported as rolled back.
  void truncated(std::uint64_t index, std::span<const replication::entry> removed) {
    data_.drop_after(index);
    applied_.undo_after(index);
    last_ = {core_.log().term_at(index), index};
    for (std::size_t i = 0; i < removed.size(); ++i) {
      const command& c = removed[i].command;
      if (c.what == command::kind::noop) continue;
      config_.rollbacks->record({.node = config_.node,
                                 .position = {removed[i].term, index + 1 + i},
                                 .key = c.key,
                                 .value = c.value,
                                 .is_cas = c.what == command::kind::cas});
    }
  }

  void committed(std::uint64_t index, const replication::entry& e) {
    committed_ = {e.term, index};
    serve_pending();
  }

  void role_changed(replication::raft_role role) {
    publish();
    if (role == replication::raft_role::leader) return;
    // Writes in the oplog may still commit under the next primary: their outcome is
    // unknown. Linearizable reads were not served: they can be retried.
    for (auto& w : writes_) answer_status(w.request, proto::Status::UNCONFIRMED);
    writes_.clear();
    std::erase_if(reads_, [this](pending_read& r) {
      if (r.concern != proto::ReadConcern::LINEARIZABLE) return false;
      answer_status(r.request, proto::Status::NOT_PRIMARY);
      return true;
    });
  }

  void read_ready(std::uint64_t ticket) {
    const auto it = std::find_if(reads_.begin(), reads_.end(), [ticket](const pending_read& r) {
      return r.concern == proto::ReadConcern::LINEARIZABLE && r.ticket == ticket;
    });
    // Not waiting: it expired, or core_.read() confirms it at once (this member alone is a
    // majority) before on_read has its ticket.
    if (it == reads_.end()) {
      confirmed_early_ = ticket;
      return;
    }
    it->confirmed = true;
    serve_pending();
  }

  // ---- waiting requests ----

  [[nodiscard]] bool ready(const pending_read& r) const {
    switch (r.concern) {
      case proto::ReadConcern::AVAILABLE:
        return true;
      case proto::ReadConcern::LOCAL:
        return last_ >= r.after;
      case proto::ReadConcern::MAJORITY:
        return committed_ >= r.after;
      case proto::ReadConcern::LINEARIZABLE:
        return r.confirmed && committed_ >= r.after;
    }
    return false;
  }

  void serve(pending_read& r) {
    const bool committed_state =
        r.concern == proto::ReadConcern::MAJORITY || r.concern == proto::ReadConcern::LINEARIZABLE;
    const op_time at = committed_state ? committed_ : last_;
    answer_value(r.request, data_.read(r.key, at.index), true, at);
  }

  void serve_pending() {
    std::erase_if(reads_, [this](pending_read& r) {
      if (!ready(r)) return false;
      serve(r);
      return true;
    });
    std::erase_if(writes_, [this](pending_write& w) {
      if (committed_.index < w.answer.position.index) return false;
      answer_write(w.request, w.answer);
      return true;
    });
  }

  void expire(time_point now) {
    std::erase_if(reads_, [this, now](pending_read& r) {
      if (r.deadline > now) return false;
      answer_status(r.request, proto::Status::WAIT_TIMEOUT);
      return true;
    });
    std::erase_if(writes_, [this, now](pending_write& w) {
      if (w.deadline > now) return false;
      answer_status(w.request, proto::Status::UNCONFIRMED);
      return true;
    });
  }

  // ---- clients ----

  void on_read(actor_context& self, envelope e) {
    const auto m = e.get<proto::ClientRead>();
    pending_read r{.key = m.getKey(),
                   .concern = m.getConcern(),
                   .after = op_time_of(m.getAfter()),
                   .deadline = deadline_of(self.now(), m.getWaitMs())};
    if (r.concern == proto::ReadConcern::LINEARIZABLE) {
      if (!core_.leads()) {
        answer_status(e, proto::Status::NOT_PRIMARY);
        return;
      }
      // Served at the commit point once a majority has confirmed that this member still
      // leads (the core's ReadIndex) and that point covers its whole oplog as it is now.
      r.after = std::max(r.after, last_);
      r.ticket = *core_.read();
      r.confirmed = confirmed_early_ == r.ticket;
    }
    r.request = std::move(e);
    if (ready(r)) {
      serve(r);
    } else {
      reads_.push_back(std::move(r));
    }
  }

  void on_write(actor_context& self, envelope e) {
    const auto m = e.get<proto::ClientWrite>();
    // A primary that has not reached the session's token is a stale one: refuse, so the
    // client finds the primary that has.
    if (!core_.leads() || last_ < op_time_of(m.getAfter())) {
      answer_status(e, proto::Status::NOT_PRIMARY);
      return;
    }
    const time_point deadline = deadline_of(self.now(), m.getWaitMs());
    using status = replication::applied_writes<write_answer>::status;
    switch (applied_.of(m.getClient(), m.getSequence())) {
      case status::last:
        // A copy the network delivered twice, or a retry: answered as the first time.
        wait_for_concern(std::move(e), applied_.last(m.getClient()), deadline);
        return;
      case status::older:
        // A copy that arrives after its client moved on (one operation at a time): it must
        // not apply, and whoever sees the answer cannot know its outcome.
        answer_status(e, proto::Status::UNCONFIRMED);
        return;
      case status::fresh:
        break;
    }
    command c{.what = m.getIsCas() ? command::kind::cas : command::kind::put,
              .client = m.getClient(),
              .sequence = m.getSequence(),
              .key = m.getKey(),
              .value = m.getValue()};
    if (m.getIsCas() && m.getExpectedPresent()) c.expected = std::string{m.getExpected()};
    const std::uint64_t index = *core_.propose(std::move(c));
    wait_for_concern(std::move(e), answer_at(index, core_.log().at(index)), deadline);
  }

  /// What the client of the write at `index` (already applied) is told.
  [[nodiscard]] write_answer answer_at(std::uint64_t index, const replication::entry& e) const {
    const snapshot_value* found = data_.read(e.command.key, index);
    write_answer answer{.position = {e.term, index}};
    answer.matched = found != nullptr && found->written == answer.position;
    if (found != nullptr) answer.found = *found;
    return answer;
  }

  /// Answers an applied write once its write concern is met.
  void wait_for_concern(envelope e, write_answer answer, time_point deadline) {
    if (e.get<proto::ClientWrite>().getConcern() == proto::WriteConcern::ONE ||
        committed_.index >= answer.position.index) {
      answer_write(e, answer);
      return;
    }
    writes_.push_back({.request = std::move(e), .answer = std::move(answer), .deadline = deadline});
  }

  void answer_write(envelope& request, const write_answer& a) {
    answer_value(request, a.found ? &*a.found : nullptr, a.matched, a.position);
  }

  /// Answers with value `v` (null: the key has none).
  void answer_value(envelope& request, const snapshot_value* v, bool matched,
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
    answer(request, std::move(m));
  }

  void answer_status(envelope& request, proto::Status status) {
    message<proto::ClientReply> m;
    m->setStatus(status);
    answer(request, std::move(m));
  }

  /// Every answer goes out once the oplog is durable, and names this member and the
  /// primary it knows of.
  void answer(envelope& request, message<proto::ClientReply>&& m) {
    const auto primary = core_.leader();
    m->setHasPrimary(primary.has_value());
    m->setPrimary(primary.value_or(0));
    m->setNode(config_.node);
    core_.reply(request, std::move(m).take());
  }

  // Declared before core_, whose constructor passes it the oplog read back.
  member_config config_;
  snapshot_map data_;
  replication::applied_writes<write_answer> applied_;
  op_time last_;       // the oplog's last entry
  op_time committed_;  // the commit point
  std::vector<pending_read> reads_;
  std::vector<pending_write> writes_;
  std::optional<std::uint64_t> confirmed_early_;
  replication::raft_core core_;
};

}  // namespace

task<result<void>> run_member(actor_context& self, member_config config) {
  auto log = replication::term_log::open(std::move(config.storage));
  if (!log) co_return log.error();
  member m{self, std::move(config), std::move(log).value()};
  co_return co_await m.run(self);
}

}  // namespace coact::policies::read_concern
