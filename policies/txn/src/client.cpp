#include "coact/policies/txn/client.hpp"

#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/txn/participant.hpp"
#include "coact/policies/txn/placement.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn {

txn_client::txn_client(const kv::directory& directory, std::vector<kv::member> groups,
                       std::uint64_t id, client_options options)
    : directory_(&directory), groups_(std::move(groups)), id_(id), options_(options) {}

task<result<kv::txn_result>> txn_client::transact(actor_context& self,
                                                  std::vector<kv::txn_op> ops) {
  if (ops.empty()) co_return kv::kv_errc::empty_transaction;
  message<proto::Transaction> t;
  detail::set_id(t->initId(), {.client = id_, .sequence = ++sequence_});
  auto list = t->initOps(static_cast<unsigned>(ops.size()));
  for (unsigned i = 0; i < ops.size(); ++i) detail::set_op(list[i], ops[i]);
  const kv::member& home = groups_[group_of(ops.front().key, groups_.size())];
  auto answer = co_await self.ask<proto::Outcome>(directory_->get(home.node, coordinator_role),
                                                  std::move(t), options_.timeout);
  if (!answer) {
    const std::error_code e = answer.error();
    // Refused before it left: it certainly did nothing. Anything else may have reached the
    // coordinator, which may have committed it.
    if (e == errc::overloaded || e == errc::message_too_large || e == errc::shutting_down) {
      co_return e;
    }
    co_return errc::timeout;
  }
  const auto outcome = answer.value().get<proto::Outcome>();
  if (outcome.isAborted()) co_return detail::error_of(outcome.getAborted().getWhy());
  kv::txn_result out;
  out.before.resize(ops.size());
  for (const auto b : outcome.getCommitted()) {
    if (b.getIndex() < ops.size()) out.before[b.getIndex()] = detail::value_of(b);
  }
  out.node = home.name.empty() ? std::to_string(home.node) : home.name;
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
