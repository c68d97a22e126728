#include "coact/policies/txn/coordinator.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "coact/actors/durable_log.hpp"
#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/policies/txn/placement.hpp"
#include "coact/runtime/dispatch.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {
namespace {

class coordinator_state {
 public:
  coordinator_state(actor_context& self, coordinator_config config)
      : self_(self), config_(std::move(config)) {}

  result<void> open() {
    if (!config_.storage) return success();
    bool broken = false;
    auto log =
        kv::durable_log::open(std::move(config_.storage), [&](std::span<const std::byte> bytes) {
          if (!broken) broken = !replay(bytes);
        });
    if (!log) return log.error();
    if (broken) return errc::parse_error;
    log_.emplace(std::move(log).value());
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
    const auto ops = request.get<proto::Transaction>().getOps();
    std::set<std::size_t> touched;
    for (const auto op : ops) touched.insert(group_of(detail::text_of(op.getKey()), groups()));
    std::vector<actor_ref> targets;
    for (const std::size_t g : touched) {
      targets.push_back(config_.directory->get(config_.groups[g], participant_role));
    }
    message<proto::Prepare> prepare;
    detail::set_id(prepare->initId(), id);
    prepare->setCoordinator(config_.node);
    prepare->setOps(ops);
    fan_out votes =
        self_.ask_each<proto::Vote>(targets, std::move(prepare), config_.prepare_timeout);

    std::optional<std::pair<proto::Refusal, std::string>> refused;
    while (!refused) {
      // Every arrival, not just until none is pending: several may arrive at once.
      const auto i = co_await votes.next();
      if (!i) break;
      const result<envelope>* vote = votes.outcome(*i);
      if (!*vote) {
        refused.emplace(proto::Refusal::UNAVAILABLE, std::string{});
        continue;
      }
      const auto v = vote->value().get<proto::Vote>();
      if (v.isNo()) refused.emplace(v.getNo().getWhy(), detail::text_of(v.getNo().getKey()));
    }
    const bool commit = !refused;
    if (commit && !log_commit(id)) co_return;
    decisions_[id] = commit;

    for (const actor_ref& target : targets) {
      self_.tell(target, make_message<proto::Decision>([&](auto d) {
                   detail::set_id(d.initId(), id);
                   if (commit) {
                     d.setCommit();
                   } else {
                     d.setAbort();
                   }
                 }));
    }

    message<proto::Outcome> outcome;
    outcome->setCoordinator(config_.node);
    if (refused) {
      auto aborted = outcome->initAborted();
      aborted.setWhy(refused->first);
      aborted.setKey(refused->second);
    } else {
      auto committed = outcome->initCommitted(ops.size());
      unsigned n = 0;
      for (std::size_t i = 0; i < votes.size(); ++i) {
        for (const auto b : votes.outcome(i)->value().get<proto::Vote>().getYes()) {
          committed.setWithCaveats(n++, b);
        }
      }
    }
    self_.reply(request, std::move(outcome));
  }

  [[nodiscard]] std::size_t groups() const noexcept { return config_.groups.size(); }

  /// Appends and syncs the commit of `id`; on failure stops this actor, telling no one:
  /// whether the record survived decides the outcome when it restarts.
  bool log_commit(txn_id id) {
    if (!log_) return true;
    capnp::MallocMessageBuilder record;
    detail::set_id(record.initRoot<proto::CoordinatorRecord>().initCommitted(), id);
    const auto words = capnp::messageToFlatArray(record);
    const auto written = log_->append(std::as_bytes(std::span{words.begin(), words.size()}));
    const auto synced = written ? log_->sync() : written;
    if (synced) return true;
    self_.stop(self_.ref(), synced.error());
    return false;
  }

  bool replay(std::span<const std::byte> bytes) {
    // Copied into words: the log hands out records at any alignment.
    std::vector<capnp::word> words((bytes.size() + sizeof(capnp::word) - 1) / sizeof(capnp::word));
    std::memcpy(words.data(), bytes.data(), bytes.size());
    try {
      capnp::FlatArrayMessageReader reader{
          kj::ArrayPtr<const capnp::word>{words.data(), words.size()}};
      decisions_[detail::id_of(reader.getRoot<proto::CoordinatorRecord>().getCommitted())] = true;
      return true;
    } catch (const kj::Exception&) {
      return false;  // intact bytes (the frame's checksum held) that are not a record
    }
  }

  actor_context& self_;
  coordinator_config config_;
  std::optional<kv::durable_log> log_;
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
