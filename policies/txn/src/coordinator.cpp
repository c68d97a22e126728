#include "coact/policies/txn/coordinator.hpp"

#include <map>
#include <optional>
#include <utility>

#include "ballot.hpp"
#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/runtime/dispatch.hpp"
#include "record_log.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {
namespace {

class coordinator_state {
 public:
  coordinator_state(actor_context& self, coordinator_config config)
      : self_(self), config_(std::move(config)) {}

  result<void> open() {
    BOOST_OUTCOME_TRY(log_, detail::record_log<proto::CoordinatorRecord>::open(
                                std::move(config_.storage), [this](auto r) {
                                  decisions_[detail::id_of(r.getCommitted())] = true;
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
    } else if (!it->second) {
      d->setPending();
    } else if (*it->second) {
      d->setCommit();
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
    if (commit && !log_commit(id)) co_return;
    decisions_[id] = commit;
    votes.tell(self_, id, commit);
    self_.reply(request, votes.outcome(config_.node, t.getOps().size(), commit));
  }

  /// Appends and syncs the commit of `id`; on failure stops this actor, telling no one:
  /// whether the record survived decides the outcome when it restarts.
  bool log_commit(txn_id id) {
    capnp::MallocMessageBuilder record;
    detail::set_id(record.initRoot<proto::CoordinatorRecord>().initCommitted(), id);
    const auto logged = log_.append(record);
    if (!logged) self_.stop(self_.ref(), logged.error());
    return static_cast<bool>(logged);
  }

  actor_context& self_;
  coordinator_config config_;
  detail::record_log<proto::CoordinatorRecord> log_;
  /// Every transaction begun or decided since start (and the commits before): true
  /// committed, false aborted, empty while its votes are out.
  std::map<txn_id, std::optional<bool>> decisions_;
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
