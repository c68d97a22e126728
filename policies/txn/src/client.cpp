#include "coact/policies/txn/client.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/policies/txn/placement.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/interval_clock.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {

namespace {

replication::verdict judge(const envelope& answer) {
  const auto outcome = answer.get<proto::Outcome>();
  if (outcome.isNotLeader()) {
    const auto hint = outcome.getNotLeader();
    return {.what = replication::verdict::kind::refused,
            .leader = hint.getHasLeader() ? std::optional{hint.getLeader()} : std::nullopt};
  }
  if (outcome.isUnknown()) return {.what = replication::verdict::kind::unknown};
  return {};
}

}  // namespace

txn_client::txn_client(const kv::directory& directory, std::vector<kv::member> groups,
                       std::vector<std::uint32_t> coordinators, std::uint64_t id,
                       client_options options)
    : directory_(&directory), groups_(std::move(groups)), id_(id), options_(options) {
  if (!coordinators.empty()) leader_.emplace(std::move(coordinators), id, options_.leader);
}

task<result<envelope>> txn_client::ask(actor_context& self, std::function<envelope()> t,
                                       const kv::member& home) {
  if (leader_) {
    const auto where = [this](std::uint32_t node) {
      return directory_->get(node, coordinator_role);
    };
    co_return co_await leader_->submit(self, where, t, capnp::typeId<proto::Outcome>(), judge,
                                       true);
  }
  auto answer = co_await self.ask_envelope(directory_->get(home.node, coordinator_role), t(),
                                           options_.timeout, capnp::typeId<proto::Outcome>());
  if (!answer) {
    const std::error_code e = answer.error();
    // Refused before it left: it certainly did nothing. Anything else may have reached the
    // coordinator, which may have committed it.
    if (e == errc::overloaded || e == errc::message_too_large || e == errc::shutting_down) {
      co_return e;
    }
    co_return errc::timeout;
  }
  co_return answer;
}

std::string txn_client::name_of(std::uint32_t node) const {
  for (const kv::member& m : groups_) {
    if (m.node == node && !m.name.empty()) return m.name;
  }
  return std::to_string(node);
}

task<result<kv::txn_result>> txn_client::transact(actor_context& self,
                                                  std::vector<kv::txn_op> ops) {
  if (ops.empty()) co_return kv::kv_errc::empty_transaction;
  const bool read_only = std::all_of(ops.begin(), ops.end(), [](const kv::txn_op& op) {
    return op.what == kv::txn_op::kind::read;
  });
  if (read_only && options_.epsilon) co_return co_await read_snapshot(self, ops);
  const txn_id id{.client = id_, .sequence = ++sequence_};
  const auto build = [&ops, id] {
    message<proto::Transaction> t;
    detail::set_id(t->initId(), id);
    auto list = t->initOps(static_cast<unsigned>(ops.size()));
    for (unsigned i = 0; i < ops.size(); ++i) detail::set_op(list[i], ops[i]);
    return std::move(t).take();
  };
  auto answer = co_await ask(self, build, groups_[group_of(ops.front().key, groups_.size())]);
  if (!answer) co_return answer.error();
  const auto outcome = answer.value().get<proto::Outcome>();
  if (outcome.isAborted()) co_return detail::error_of(outcome.getAborted().getWhy());
  // Never from the plain coordinators: a leader's unknown ends the leader client's submit.
  if (!outcome.isCommitted()) co_return errc::timeout;
  kv::txn_result out;
  out.before.resize(ops.size());
  for (const auto b : outcome.getCommitted()) {
    if (b.getIndex() < ops.size()) out.before[b.getIndex()] = detail::value_of(b);
  }
  out.node = name_of(outcome.getCoordinator());
  out.timestamp = outcome.getTimestamp();
  out.commit_wait = duration{static_cast<std::int64_t>(outcome.getCommitWaitNs())};
  co_return out;
}

task<result<kv::txn_result>> txn_client::read_snapshot(actor_context& self,
                                                       const std::vector<kv::txn_op>& ops) {
  const interval_clock truetime{self.system().clock(), *options_.epsilon};
  // Never 0, which a history reads as no timestamp.
  const std::uint64_t at = std::max<std::uint64_t>(detail::ns_of(truetime.now().latest), 1);
  std::set<std::size_t> touched;
  for (const kv::txn_op& op : ops) touched.insert(group_of(op.key, groups_.size()));
  std::vector<actor_ref> targets;
  for (const std::size_t g : touched) {
    targets.push_back(directory_->get(groups_[g].node, participant_role));
  }
  message<proto::ReadAt> read;
  read->setTimestamp(at);
  auto keys = read->initKeys(static_cast<unsigned>(ops.size()));
  for (unsigned i = 0; i < ops.size(); ++i) keys.set(i, ops[i].key);
  auto answers = co_await self.ask_all<proto::Snapshot>(targets, std::move(read), options_.timeout);
  kv::txn_result out{.before = std::vector<std::optional<std::string>>(ops.size()),
                     .timestamp = at,
                     .node = name_of(groups_[*touched.begin()].node)};
  for (auto& answer : answers) {
    // A read changes nothing: whatever went wrong, it certainly had no effect.
    if (!answer) co_return kv::kv_errc::unavailable;
    const auto snapshot = answer.value().get<proto::Snapshot>();
    if (snapshot.isRefused()) co_return detail::error_of(snapshot.getRefused());
    for (const auto b : snapshot.getValues()) {
      if (b.getIndex() < ops.size()) out.before[b.getIndex()] = detail::value_of(b);
    }
  }
  co_return out;
}

task<result<kv::read_result>> txn_client::get(actor_context& self, std::string key) {
  std::vector<kv::txn_op> ops{{.what = kv::txn_op::kind::read, .key = std::move(key)}};
  auto done = co_await transact(self, std::move(ops));
  if (!done) co_return done.error();
  co_return kv::read_result{.value = std::move(done.value().before.front()),
                            .node = std::move(done.value().node)};
}

task<result<kv::write_result>> txn_client::put(actor_context& self, std::string key,
                                               std::string value) {
  std::vector<kv::txn_op> ops{
      {.what = kv::txn_op::kind::write, .key = std::move(key), .value = std::move(value)}};
  auto done = co_await transact(self, std::move(ops));
  if (!done) co_return done.error();
  co_return kv::write_result{.node = std::move(done.value().node)};
}

}  // namespace coact::policies::txn
