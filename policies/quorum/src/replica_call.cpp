#include "replica_call.hpp"

#include <utility>

#include "wire_form.hpp"

namespace coact::policies::quorum::detail {
namespace {

/// Asks the replica; the reply, or the error (a timeout, the replica gone) that took its
/// place.
task<result<envelope>> ask_replica(actor_context& self, const replica_call& call) {
  if (call.write) {
    message<kv::proto::ReplicaWrite> request;
    request->setKey(call.key);
    request->setValue(call.value);
    set_version(request->initVersion(), call.version);
    co_return co_await self.ask<kv::proto::ReplicaWriteAck>(call.replica, std::move(request),
                                                            call.timeout);
  }
  message<kv::proto::ReplicaRead> request;
  request->setKey(call.key);
  co_return co_await self.ask<kv::proto::ReplicaValue>(call.replica, std::move(request),
                                                       call.timeout);
}

}  // namespace

task<void> call_replica(actor_context& self, actor_ref coordinator, replica_call call) {
  const auto answer = co_await ask_replica(self, call);
  message<proto::ReplicaOutcome> outcome;
  outcome->setOperation(call.operation);
  outcome->setSlot(call.slot);
  outcome->setWrite(call.write);
  // A write acknowledged as applied or not (a newer version was there already) leaves the
  // replica holding this write or a newer one: both count.
  outcome->setAnswered(static_cast<bool>(answer));
  if (answer && !call.write) outcome->setValue(answer.value().get<kv::proto::ReplicaValue>());
  // The coordinator is on this node: the tell fails only if it has stopped, and then
  // nobody waits for the outcome.
  self.tell(coordinator, std::move(outcome));
}

}  // namespace coact::policies::quorum::detail
