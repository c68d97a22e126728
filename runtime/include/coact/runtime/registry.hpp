#pragma once

#include <cstdint>
#include <string>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact {

/// The generation of the registry's reference: no other actor's reference has it, since
/// the registry holds slot 0 of shard 0 for the whole life of its actor system.
inline constexpr std::uint32_t registry_generation = 0xffffffffu;

/// The registry of `node`: an actor every actor system spawns for itself at this address,
/// the same in every incarnation of the node, so that any node can ask it without having
/// met it. It answers registry::Lookup{name} with registry::Found, from the names bound
/// on its node with actor_system::register_name.
[[nodiscard]] constexpr actor_ref registry_of(std::uint32_t node) noexcept {
  return actor_ref{node, 0, 0, registry_generation};
}

/// The registry's body (actor_system spawns it; nobody else needs to).
[[nodiscard]] task<void> registry_actor(actor_context& self);

/// The actor registered under `name` on `node` (this node's too), asked of that node's
/// registry. Errors: errc::name_unbound (nothing is registered under `name` there), and
/// those of an ask (errc::timeout after `timeout`, errc::node_unreachable, ...). Runs
/// on the asking actor's shard, from its body or one of its tasks.
[[nodiscard]] task<result<actor_ref>> lookup(actor_context& self, std::uint32_t node,
                                             std::string name, duration timeout);

}  // namespace coact
