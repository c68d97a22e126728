#include "coact/policies/quorum/client.hpp"

#include <cassert>
#include <utility>

#include "coact/policies/quorum/coordinator.hpp"
#include "wire_form.hpp"

namespace coact::policies::quorum {

client::client(std::shared_ptr<const kv::directory> refs, std::vector<std::uint32_t> coordinators,
               std::size_t first, levels defaults, duration timeout)
    : refs_(std::move(refs)), coordinators_(std::move(coordinators)), next_(first),
      defaults_(defaults), timeout_(timeout) {
  assert(!coordinators_.empty());
}

actor_ref client::next_coordinator() {
  const std::uint32_t node = coordinators_[next_ % coordinators_.size()];
  ++next_;
  return refs_->get(node, coordinator_role);
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key) {
  co_return co_await get(self, std::move(key), defaults_.read);
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key, level read) {
  message<proto::QuorumRead> request;
  request->setKey(key);
  request->setLevel(detail::to_proto(read));
  request->setWriteLevel(detail::to_proto(defaults_.write));
  auto answer =
      co_await self.ask<proto::QuorumReadReply>(next_coordinator(), std::move(request), timeout_);
  if (!answer) co_return answer.error();
  const auto reply = answer.value().get<proto::QuorumReadReply>();
  if (reply.isUnmet()) {
    const auto unmet = detail::unmet_of(reply.getUnmet());
    if (!unmet) co_return make_error_code(errc::malformed_message);
    co_return make_error_code(*unmet);
  }
  kv::read_result r;
  r.node = detail::text_of(reply.getCoordinator());
  const auto value = reply.getValue();
  if (value.getPresent()) {
    r.value = detail::text_of(value.getValue());
    r.version = detail::version_of(value.getVersion());
  }
  co_return r;
}

task<result<kv::write_result>> client::put(actor_context& self, std::string key,
                                           std::string value) {
  co_return co_await put(self, std::move(key), std::move(value), defaults_.write);
}

task<result<kv::write_result>> client::put(actor_context& self, std::string key, std::string value,
                                           level write) {
  message<proto::QuorumWrite> request;
  request->setKey(key);
  request->setValue(value);
  request->setLevel(detail::to_proto(write));
  auto answer =
      co_await self.ask<proto::QuorumWriteReply>(next_coordinator(), std::move(request), timeout_);
  if (!answer) co_return answer.error();
  const auto reply = answer.value().get<proto::QuorumWriteReply>();
  if (reply.isUnmet()) {
    const auto unmet = detail::unmet_of(reply.getUnmet());
    if (!unmet) co_return make_error_code(errc::malformed_message);
    co_return make_error_code(*unmet);
  }
  kv::write_result r;
  r.node = detail::text_of(reply.getCoordinator());
  r.version = detail::version_of(reply.getWritten());
  co_return r;
}

std::string client::name() const {
  return std::string{"quorum R="} + to_string(defaults_.read) + " W=" + to_string(defaults_.write);
}

}  // namespace coact::policies::quorum
