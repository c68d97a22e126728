#include "coact/policies/txn/replicated_coordinator.hpp"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "ballot.hpp"
#include "coact/actors/replication/replicated_map.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/runtime/dispatch.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {
namespace {

constexpr const char* committed = "commit";
constexpr const char* aborted = "abort";

/// The replicated decision's key.
std::string key_of(txn_id id) {
  return "txn/" + std::to_string(id.client) + "/" + std::to_string(id.sequence);
}

/// A transaction whose commit was proposed, waiting for its entry to apply.
struct proposed {
  envelope request;
  txn_id id;
  detail::ballot votes;
};

class member {
 public:
  member(actor_context& self, replicated_coordinator_config config, replication::term_log log)
      : self_(self), config_(std::move(config)),
        core_(replication::raft_options{.node = config_.node,
                                        .members = config_.members,
                                        .timing = config_.timing,
                                        .random = config_.random},
              replication::raft_hooks{
                  .send =
                      [this](std::uint32_t to, envelope&& e) {
                        self_.tell(config_.directory->get(to, coordinator_role), std::move(e));
                      },
                  .apply = [this](std::uint64_t index,
                                  const replication::entry& e) { apply(index, e); },
                  .role_changed = [this](replication::raft_role role,
                                         std::uint64_t term) { role_changed(role, term); },
              },
              std::move(log), self.now()) {}

  task<result<void>> run() {
    return core_.run(self_, [this](envelope& e) {
      dispatch(e, on<proto::Transaction>([this](envelope& t, auto m) { on_transaction(t, m); }),
               on<proto::Inquiry>([this](envelope& q, auto m) { on_inquiry(q, m); }));
    });
  }

 private:
  void on_transaction(envelope& e, proto::Transaction::Reader t) {
    if (t.getOps().size() == 0) {
      self_.reply_error(e, errc::invalid_argument);
      return;
    }
    if (!core_.leads()) {
      message<proto::Outcome> refused;
      refused->setCoordinator(config_.node);
      auto hint = refused->initNotLeader();
      const auto leader = core_.leader();
      hint.setHasLeader(leader.has_value() && *leader != config_.node);
      hint.setLeader(leader.value_or(0));
      core_.reply(e, std::move(refused).take());
      return;
    }
    const txn_id id = detail::id_of(t.getId());
    // A copy of a transaction running or decided: its client has its answer, or will have
    // it from the first.
    if (running_.contains(id) || state_.find(key_of(id)) != nullptr) return;
    running_.insert(id);
    self_.launch(coordinate(std::move(e), id));
  }

  task<void> coordinate(envelope request, txn_id id) {
    const auto t = request.get<proto::Transaction>();
    detail::ballot votes = co_await detail::ballot::collect(
        self_, t, config_.node, config_.groups, *config_.directory, config_.prepare_timeout);
    if (!votes.unanimous()) {
      // Only this coordinator would propose its commit: the abort needs no record.
      running_.erase(id);
      votes.tell(self_, id, false);
      self_.reply(request, votes.outcome(config_.node, t.getOps().size(), false));
      co_return;
    }
    const auto index = propose(id, committed);
    if (!index) {
      running_.erase(id);
      self_.reply(request, unknown());
      co_return;
    }
    waiting_.emplace(*index, proposed{std::move(request), id, std::move(votes)});
  }

  void on_inquiry(envelope& e, proto::Inquiry::Reader q) {
    const txn_id id = detail::id_of(q.getId());
    const kv::stored_value* decided = state_.find(key_of(id));
    message<proto::Decision> d;
    detail::set_id(d->initId(), id);
    if (decided != nullptr) {
      if (decided->value == committed) {
        d->setCommit();
      } else {
        d->setAbort();
      }
    } else if (core_.leads() && !running_.contains(id)) {
      // Not decided, and not running here: make sure it never commits, and answer once
      // the group has decided.
      if (const auto index = propose(id, aborted)) {
        inquiries_.emplace(*index, std::move(e));
        return;
      }
      d->setPending();
    } else {
      d->setPending();
      const auto leader = core_.leader();
      if (!core_.leads() && leader) d->setLeader(*leader);
    }
    core_.reply(e, std::move(d).take());
  }

  /// Proposes `decision` for `id` unless the group holds one already; its index, or empty
  /// when this member does not lead.
  std::optional<std::uint64_t> propose(txn_id id, const char* decision) {
    const auto index = core_.propose({.what = replication::command::kind::cas,
                                      .key = key_of(id),
                                      .value = decision,
                                      .expected = std::nullopt});
    // Proposed from a task or a handler the core is not flushing after: flush now, so
    // that the entry leaves without waiting for the next heartbeat.
    if (index) {
      if (const auto flushed = core_.flush(self_); !flushed) {
        self_.stop(self_.ref(), flushed.error());
      }
    }
    return index;
  }

  void apply(std::uint64_t index, const replication::entry& e) {
    (void)state_.apply(index, e.command);
    const auto [first, end] = inquiries_.equal_range(index);
    for (auto q = first; q != end; ++q) on_inquiry(q->second, q->second.get<proto::Inquiry>());
    inquiries_.erase(first, end);
    const auto it = waiting_.find(index);
    if (it == waiting_.end()) return;
    proposed& p = it->second;
    const kv::stored_value* decided = state_.find(key_of(p.id));
    const bool commit = decided != nullptr && decided->value == committed;
    p.votes.tell(self_, p.id, commit);
    const auto ops = p.request.get<proto::Transaction>().getOps().size();
    core_.reply(p.request, p.votes.outcome(config_.node, ops, commit).take());
    running_.erase(p.id);
    waiting_.erase(it);
  }

  void role_changed(replication::raft_role role, std::uint64_t term) {
    if (role == replication::raft_role::leader) {
      if (config_.on_leader) config_.on_leader(config_.node, term);
      return;
    }
    // Proposed but not applied: it may commit under the next leader, or be aborted there.
    for (auto& [index, p] : waiting_) {
      core_.reply(p.request, unknown().take());
      running_.erase(p.id);
    }
    waiting_.clear();
    for (auto& [index, inquiry] : inquiries_) {
      core_.reply(inquiry, make_message<proto::Decision>([&](auto d) {
                             d.setId(inquiry.get<proto::Inquiry>().getId());
                             d.setPending();
                           }).take());
    }
    inquiries_.clear();
  }

  [[nodiscard]] message<proto::Outcome> unknown() const {
    message<proto::Outcome> out;
    out->setCoordinator(config_.node);
    out->setUnknown();
    return out;
  }

  actor_context& self_;
  replicated_coordinator_config config_;
  replication::replicated_map state_;  // the decisions, by key_of
  replication::raft_core core_;
  std::set<txn_id> running_;                          // coordinated here, not decided yet
  std::map<std::uint64_t, proposed> waiting_;         // by the index of their commit's entry
  std::multimap<std::uint64_t, envelope> inquiries_;  // by the index of the abort they wait on
};

}  // namespace

task<result<void>> replicated_coordinator(actor_context& self,
                                          replicated_coordinator_config config) {
  auto log = replication::term_log::open(std::move(config.storage));
  if (!log) co_return log.error();
  member m{self, std::move(config), std::move(log).value()};
  co_return co_await m.run();
}

}  // namespace coact::policies::txn
