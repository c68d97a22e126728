#pragma once

#include <cstdint>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/task.hpp"

namespace topology {

/// One storage node: owns the keys that hash to `index` and answers GetRequest,
/// PutRequest and StatsRequest asks. A key it does not own is answered with
/// errc::invalid_argument, since that means a router disagrees about the key space.
coact::task<void> storage_node(coact::actor_context& self, std::uint32_t index,
                               std::uint32_t node_count);

}  // namespace topology
