#include "coact/policies/dynamo/partition_replica.hpp"

#include <map>
#include <string_view>
#include <utility>

#include "coact/actors/replication/replicated_map.hpp"
#include "coact/policies/dynamo/dynamo.capnp.h"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/message.hpp"

namespace coact::policies::dynamo {
namespace {

using replication::raft_role;

void set_version(proto::Version::Builder b, kv::version v) {
  b.setCounter(v.counter);
  b.setWriter(v.writer);
}

proto::Role role_of(raft_role role) {
  switch (role) {
    case raft_role::precandidate:
      return proto::Role::PRECANDIDATE;
    case raft_role::candidate:
      return proto::Role::CANDIDATE;
    case raft_role::leader:
      return proto::Role::LEADER;
    case raft_role::follower:
      break;
  }
  return proto::Role::FOLLOWER;
}

replication::raft_options options_of(const replica_settings& s) {
  return {
      .node = s.node,
      .members = s.members,
      .timing = s.timing,
      // Having forgotten its log, a restarted volatile replica could help elect a leader
      // that lacks an entry it had acknowledged.
      .votes = s.rejoining ? replication::voting::after_catch_up : replication::voting::always,
      // Followers serve eventually consistent reads: the sooner they learn of a commit, the
      // less stale those reads are.
      .announce_commits = true,
      .random = s.random,
  };
}

/// What one partition replica holds beside its Raft core: the replicated keys, and the
/// client requests waiting for the core (writes by log index, consistent reads by ticket).
class replica {
 public:
  replica(actor_context& self, replica_settings settings, replication::term_log log)
      : settings_(std::move(settings)),
        core_(options_of(settings_),
              replication::raft_hooks{
                  .send =
                      [this, &self](std::uint32_t to, envelope&& e) {
                        self.tell(settings_.refs->get(to, directory_role(settings_.partition)),
                                  std::move(e));
                      },
                  .apply = [this](std::uint64_t index,
                                  const replication::entry& e) { apply(index, e); },
                  .role_changed = [this](raft_role role, std::uint64_t) { role_changed(role); },
                  .read_ready = [this](std::uint64_t ticket) { read_ready(ticket); },
              },
              std::move(log), self.now()) {}

  task<result<void>> run(actor_context& self) {
    return core_.run(self, [this](envelope& e) {
      dispatch(e, on<proto::Get>([this](envelope& get) { on_get(get); }),
               on<proto::Write>([this](envelope& write) { on_write(write); }),
               on<proto::StatusRequest>([this](envelope& request) { on_status(request); }));
    });
  }

 private:
  void on_get(envelope& e) {
    if (!e.get<proto::Get>().getConsistent()) {
      answer_read(e, serving() ? proto::Outcome::OK : proto::Outcome::UNAVAILABLE);
    } else if (!core_.leads()) {
      answer(e, outcome(proto::Outcome::NOT_LEADER));
    } else if (full()) {
      answer(e, outcome(proto::Outcome::UNAVAILABLE));
    } else {
      reads_.emplace(*core_.read(), std::move(e));
    }
  }

  void on_write(envelope& e) {
    if (!core_.leads()) {
      answer(e, outcome(proto::Outcome::NOT_LEADER));
      return;
    }
    replication::command c = replication::read_command(e.get<proto::Write>().getCommand());
    // A write applied already is answered with what it did: appended again, its copy
    // would apply nothing and only lengthen the log.
    using status = replication::applied_writes<replication::write_outcome>::status;
    switch (state_.writes().of(c.client, c.sequence)) {
      case status::last:
        answer(e, written(state_.writes().last(c.client)));
        return;
      case status::older:
        // Its client has moved on and waits for no answer.
        answer(e, outcome(proto::Outcome::OUTCOME_UNKNOWN));
        return;
      case status::fresh:
        break;
    }
    if (full()) {
      answer(e, outcome(proto::Outcome::UNAVAILABLE));
      return;
    }
    writes_.emplace(*core_.propose(std::move(c)), std::move(e));
  }

  void apply(std::uint64_t index, const replication::entry& e) {
    const auto done = state_.apply(index, e.command);
    // Two requests wait on one entry when a copy of a write arrived while it was pending.
    const auto [first, end] = writes_.equal_range(index);
    for (auto it = first; it != end; ++it) {
      // Empty: a stale copy of a request, whose client has moved on.
      answer(it->second, done ? written(*done) : outcome(proto::Outcome::OUTCOME_UNKNOWN));
    }
    writes_.erase(first, end);
  }

  void role_changed(raft_role role) {
    if (role == raft_role::leader) return;
    // Appended but not committed: it may commit under the next leader, or never.
    for (auto& [index, request] : writes_)
      answer(request, outcome(proto::Outcome::OUTCOME_UNKNOWN));
    writes_.clear();
    for (auto& [ticket, request] : reads_) answer(request, outcome(proto::Outcome::NOT_LEADER));
    reads_.clear();
  }

  void read_ready(std::uint64_t ticket) {
    const auto it = reads_.find(ticket);
    answer_read(it->second, proto::Outcome::OK);
    reads_.erase(it);
  }

  void on_status(envelope& e) {
    message<proto::ReplicaStatus> s;
    s->setPartition(settings_.partition);
    s->setNode(settings_.node);
    s->setRole(role_of(core_.role()));
    s->setTerm(core_.term());
    s->setLeader(core_.leader() ? std::int64_t{*core_.leader()} : -1);
    s->setLastSeq(core_.log().last_index());
    s->setCommitSeq(core_.commit_index());
    s->setAppliedSeq(core_.applied_index());
    s->setServing(serving());
    const auto& entries = state_.values().entries();
    auto items = s->initItems(static_cast<unsigned>(entries.size()));
    unsigned i = 0;
    for (const auto& [key, stored] : entries) {
      items[i].setKey(key);
      items[i].setValue(stored.value);
      set_version(items[i].initVersion(), stored.version);
      ++i;
    }
    core_.reply(e, std::move(s).take());
  }

  /// Whether this replica answers eventually consistent reads: once it has reached a
  /// leader's commit index since it started. A new leader's commit index may lag its
  /// predecessor's until it has committed an entry of its own term.
  [[nodiscard]] bool serving() const {
    if (core_.leads()) return core_.log().term_at(core_.commit_index()) == core_.term();
    return core_.caught_up();
  }

  [[nodiscard]] bool full() const noexcept {
    return writes_.size() + reads_.size() >= settings_.pending_max;
  }

  [[nodiscard]] message<proto::Answer> outcome(proto::Outcome o) const {
    message<proto::Answer> a;
    a->setOutcome(o);
    a->setLeaderHint(core_.leader() ? std::int64_t{*core_.leader()} : -1);
    a->setNode(settings_.node_name);
    return a;
  }

  [[nodiscard]] message<proto::Answer> written(const replication::write_outcome& done) const {
    auto a = outcome(proto::Outcome::OK);
    set_version(a->initVersion(), done.version);
    a->setMatched(done.matched);
    return a;
  }

  /// Answers the Get `request` with `o` and, if OK, the applied value of its key.
  void answer_read(envelope& request, proto::Outcome o) {
    auto a = outcome(o);
    const auto key = request.get<proto::Get>().getKey();
    const kv::stored_value* found = state_.find(std::string_view{key.cStr(), key.size()});
    if (o == proto::Outcome::OK && found != nullptr) {
      a->setPresent(true);
      a->setValue(found->value);
      set_version(a->initVersion(), found->version);
    }
    answer(request, std::move(a));
  }

  /// Answers at the next flush, once the log is durable.
  void answer(envelope& request, message<proto::Answer>&& a) {
    core_.reply(request, std::move(a).take());
  }

  replica_settings settings_;
  replication::replicated_map state_;
  replication::raft_core core_;
  std::multimap<std::uint64_t, envelope> writes_;  // by log index
  std::map<std::uint64_t, envelope> reads_;        // by ticket
};

}  // namespace

std::string directory_role(std::uint32_t partition) {
  return "dynamo/" + std::to_string(partition);
}

task<result<void>> partition_replica(actor_context& self, replica_settings settings) {
  auto log = replication::term_log::open(std::move(settings.storage));
  if (!log) co_return log.error();
  replica r{self, std::move(settings), std::move(log).value()};
  co_return co_await r.run(self);
}

}  // namespace coact::policies::dynamo
