#pragma once

#include <atomic>
#include <memory>

#include "coact/actors/kv_client.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/task.hpp"

namespace coact::bench {

/// Where a warm-up stands.
enum class warm_up_state : int { running, ready, gave_up };

/// The keys a warm-up writes: enough distinct keys that every partition of a
/// partitioned policy gets one (and elects its leader) with near certainty.
inline constexpr int warm_up_keys = 64;

/// Writes keys "warmup-0" ... "warmup-63" through `client`, each until it succeeds (a
/// policy that elects leaders answers once it has them), then sets `*state` to ready; to
/// gave_up if `deadline` passes first. Its writes are not recorded. `state` must outlive
/// the actor.
task<void> warm_up(actor_context& self, std::unique_ptr<kv::client> client, duration deadline,
                   std::atomic<warm_up_state>* state);

}  // namespace coact::bench
