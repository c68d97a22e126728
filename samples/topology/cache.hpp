#pragma once

#include <cstdint>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/task.hpp"

namespace topology {

struct cache_config {
  std::uint32_t node_count = 3;
  /// How long a cached answer may be served without asking its node again.
  coact::duration ttl = std::chrono::milliseconds{100};
  /// Deadline of the cache's asks to the nodes; shorter than the clients' deadline so
  /// that a slow node shows up at the client as that node's error, not as a timeout.
  coact::duration node_deadline = std::chrono::milliseconds{250};
};

/// A write-through TTL cache in front of the storage nodes (found with whereis under
/// node_name(i)). Answers GetRequest, PutRequest and StatsRequest asks.
coact::task<void> cache(coact::actor_context& self, cache_config config);

}  // namespace topology
