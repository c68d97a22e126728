#pragma once

#include <memory>

#include "coact/actors/log_storage.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::kv {

/// The storage replica actor: a versioned_map served over replica.capnp (ReplicaRead,
/// ReplicaWrite). With `storage`, every applied write is appended to a durable_log on it
/// and synced before the write is acknowledged, and the log is replayed when the actor
/// starts, so a replica that crashes at any instant loses no acknowledged write. Without
/// it, the replica is volatile. Stops with the storage's error if the log cannot be
/// opened or written.
task<result<void>> replica(actor_context& self, std::unique_ptr<log_storage> storage);

}  // namespace coact::kv
