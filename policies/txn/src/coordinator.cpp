#include "coact/policies/txn/coordinator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "ballot.hpp"
#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/interval_clock.hpp"
#include "record_log.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {
namespace {

class coordinator_state {
 public:
  coordinator_state(actor_context& self, coordinator_config config)
      : self_(self), config_(std::move(config)) {
    if (config_.epsilon) truetime_.emplace(self.system().clock(), *config_.epsilon);
  }

  result<void> open() {
    BOOST_OUTCOME_TRY(log_, detail::record_log<proto::CoordinatorRecord>::open(
                                std::move(config_.storage), [this](auto r) {
                                  decisions_[detail::id_of(r.getCommitted())] =
                                      decision{.commit = true, .timestamp = r.getTimestamp()};
                                  last_timestamp_ = std::max(last_timestamp_, r.getTimestamp());
                                  return true;
                                }));
    return success();
  }

  void on_transaction(envelope& e, proto::Transaction::Reader t) {
    const txn_id id = detail::id_of(t.getId());
    if (t.getOps().size() == 0) {
      self_.reply_error(e, errc::invalid_argument);
      return;
    }
    // A copy of a transaction already running or decided: its client has its answer, or
    // will have it from the first.
    if (decisions_.contains(id)) return;
    decisions_.emplace(id, std::nullopt);
    self_.launch(run(std::move(e), id));
  }

  void on_inquiry(envelope& e, proto::Inquiry::Reader q) {
    const txn_id id = detail::id_of(q.getId());
    const auto it = decisions_.find(id);
    message<proto::Decision> d;
    detail::set_id(d->initId(), id);
    if (it == decisions_.end()) {
      d->setAbort();  // unknown here: it cannot have committed
    } else if (!it->second || (it->second->commit && truetime_ &&
                               !truetime_->after(time_point{
                                   duration{static_cast<std::int64_t>(it->second->timestamp)}}))) {
      d->setPending();  // votes out, or a commit still waiting for its timestamp to pass
    } else if (it->second->commit) {
      d->setCommit();
      d->setTimestamp(it->second->timestamp);
    } else {
      d->setAbort();
    }
    self_.reply(e, std::move(d));
  }

 private:
  task<void> run(envelope request, txn_id id) {
    const auto t = request.get<proto::Transaction>();
    const detail::ballot votes = co_await detail::ballot::collect(
        self_, t, config_.node, config_.groups, *config_.directory, config_.prepare_timeout);
    const bool commit = votes.unanimous();
    std::uint64_t timestamp = 0;
    if (commit && truetime_) {
      timestamp = std::max(
          {votes.timestamp(), detail::ns_of(truetime_->now().latest), last_timestamp_ + 1});
      last_timestamp_ = timestamp;
    }
    if (commit && !log_commit(id, timestamp)) co_return;
    const time_point decided = self_.now();
    if (commit && truetime_) {
      // Commit wait: until the timestamp has certainly passed, on every correct clock.
      const time_point s{duration{static_cast<std::int64_t>(timestamp)}};
      while (!truetime_->after(s))
        co_await self_.sleep(s - truetime_->now().earliest + duration{1});
    }
    if (commit && truetime_ && config_.on_commit_wait)
      config_.on_commit_wait(self_.now() - decided);
    decisions_[id] = decision{.commit = commit, .timestamp = timestamp};
    votes.tell(self_, id, commit, timestamp);
    auto outcome = votes.outcome(config_.node, t.getOps().size(), commit);
    outcome->setTimestamp(timestamp);
    outcome->setCommitWaitNs(static_cast<std::uint64_t>((self_.now() - decided).count()));
    self_.reply(request, std::move(outcome));
  }

  /// Appends and syncs the commit of `id`; on failure stops this actor, telling no one:
  /// whether the record survived decides the outcome when it restarts.
  bool log_commit(txn_id id, std::uint64_t timestamp) {
    capnp::MallocMessageBuilder record;
    auto r = record.initRoot<proto::CoordinatorRecord>();
    detail::set_id(r.initCommitted(), id);
    r.setTimestamp(timestamp);
    const auto logged = log_.append(record);
    if (!logged) self_.stop(self_.ref(), logged.error());
    return static_cast<bool>(logged);
  }

  actor_context& self_;
  coordinator_config config_;
  detail::record_log<proto::CoordinatorRecord> log_;
  struct decision {
    bool commit = false;
    std::uint64_t timestamp = 0;  // spanner: the commit timestamp
  };
  /// Every transaction begun or decided since start (and the commits before); empty while
  /// its votes are out or its commit waits.
  std::map<txn_id, std::optional<decision>> decisions_;
  std::optional<interval_clock> truetime_;  // spanner
  std::uint64_t last_timestamp_ = 0;        // spanner: the highest given
};

}  // namespace

task<result<void>> coordinator(actor_context& self, coordinator_config config) {
  coordinator_state state{self, std::move(config)};
  BOOST_OUTCOME_CO_TRY(state.open());
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<proto::Transaction>([&](envelope& t, auto m) { state.on_transaction(t, m); }),
             on<proto::Inquiry>([&](envelope& q, auto m) { state.on_inquiry(q, m); }));
  }
}

}  // namespace coact::policies::txn
