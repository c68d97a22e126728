#pragma once

#include <cstdint>
#include <string>

#include "coact/actors/kv_client.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::quorum::detail {

/// One ask of one storage replica on a coordinator's behalf: a ReplicaRead of `key`, or a
/// ReplicaWrite of (key, value, version).
struct replica_call {
  std::uint64_t operation = 0;
  std::uint32_t slot = 0;
  actor_ref replica;
  bool write = false;
  std::string key;
  std::string value;
  kv::version version;
  duration timeout{0};
};

/// A helper actor, one per call, so that a coordinator has many asks in flight (an actor
/// has one at a time): it asks the replica, tells `coordinator` a ReplicaOutcome (answered
/// or not by the deadline) and stops.
task<void> call_replica(actor_context& self, actor_ref coordinator, replica_call call);

}  // namespace coact::policies::quorum::detail
