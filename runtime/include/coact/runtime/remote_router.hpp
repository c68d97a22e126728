#pragma once

#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"

namespace coact {

/// Carries messages to actors on other nodes. The runtime knows nothing of networks: the
/// network layer (TCP, or the simulated network) implements this, and an actor system
/// given one in system_config hands it every message whose target names another node.
/// On the receiving node, the network layer gives the message to
/// actor_system::receive_remote. Tells, asks, replies and system messages all travel
/// this way, so an ask to a remote actor works as a local one does.
class remote_router {
 public:
  virtual ~remote_router() = default;
  /// Takes a message for another node (e.target().node), on the sending thread: a shard
  /// thread, or any thread for sends from outside the system. It owns the message from
  /// then on, delivered or not. Errors: errc::node_unreachable (no route to that node),
  /// errc::overloaded (the way there is full).
  [[nodiscard]] virtual result<void> route(envelope&& e) = 0;
};

}  // namespace coact
