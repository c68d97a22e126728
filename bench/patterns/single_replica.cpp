#include "single_replica.hpp"

#include <atomic>
#include <cassert>
#include <string>
#include <utility>

#include "coact/actors/directory.hpp"
#include "coact/actors/replica.capnp.h"
#include "coact/actors/replica.hpp"

namespace coact::bench {
namespace {

constexpr const char* replica_role = "replica";

/// What the deployment's clients share; it outlives them (see kv::deployment).
struct shared_state {
  kv::directory refs;
  std::uint32_t node = 0;
  std::string node_name;
  duration timeout{};
  std::atomic<std::uint64_t> next_version{1};
};

class single_client final : public kv::client {
 public:
  single_client(shared_state& state, std::uint32_t home) : state_(&state), home_(home) {}

  task<result<kv::read_result>> get(actor_context& self, std::string key) override {
    message<kv::proto::ReplicaRead> request;
    request->setKey(key);
    auto answer = co_await self.ask<kv::proto::ReplicaValue>(
        state_->refs.get(state_->node, replica_role), std::move(request), state_->timeout);
    if (!answer) co_return answer.error();
    const auto value = answer.value().get<kv::proto::ReplicaValue>();
    kv::read_result out;
    if (value.getPresent()) {
      out.value = std::string{value.getValue().cStr(), value.getValue().size()};
      out.version = {value.getVersion().getCounter(), value.getVersion().getWriter()};
    }
    out.node = state_->node_name;
    co_return out;
  }

  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override {
    const kv::version v{state_->next_version.fetch_add(1, std::memory_order_relaxed), home_};
    message<kv::proto::ReplicaWrite> request;
    request->setKey(key);
    request->setValue(value);
    request->initVersion().setCounter(v.counter);
    request->getVersion().setWriter(v.writer);
    auto answer = co_await self.ask<kv::proto::ReplicaWriteAck>(
        state_->refs.get(state_->node, replica_role), std::move(request), state_->timeout);
    if (!answer) co_return answer.error();
    // A write refused for an older version than the stored one still succeeded: it is
    // ordered just before the newer write, which was sent after it and applied while it
    // was in flight. So its version is its own, not the one stored.
    co_return kv::write_result{.version = v, .matched = true, .node = state_->node_name};
  }

  [[nodiscard]] std::string name() const override { return "single"; }

 private:
  shared_state* state_;
  std::uint32_t home_;
};

class single_deployment final : public kv::deployment {
 public:
  single_deployment(const kv::topology& where, duration timeout) {
    assert(!where.replicas.empty());
    state_.node = where.replicas.front().node;
    state_.node_name = where.replicas.front().name;
    state_.timeout = timeout;
  }

  [[nodiscard]] const kv::descriptor& describe() const override { return descriptor_; }

  void boot(actor_system& system, std::uint32_t node) override {
    if (node != state_.node) return;
    auto ref = system.spawn(&kv::replica, std::unique_ptr<kv::log_storage>{});
    if (ref) state_.refs.set(node, replica_role, ref.value());
  }

  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override {
    return std::make_unique<single_client>(state_, home);
  }

 private:
  shared_state state_;
  kv::descriptor descriptor_{.family = "single",
                             .guarantees = "linearizable: one replica serves every operation",
                             .under_partition = kv::availability::unavailable,
                             .round_trips = "read: 1 RTT; write: 1 RTT"};
};

}  // namespace

std::unique_ptr<kv::deployment> deploy_single_replica(const kv::topology& where, duration timeout) {
  return std::make_unique<single_deployment>(where, timeout);
}

}  // namespace coact::bench
