#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/task.hpp"

namespace coact::tools {

/// echo: answers protocol::Ping{n} with protocol::Pong{n + 1}.
[[nodiscard]] task<void> echo_actor(actor_context& self);

/// kv_store: a map of text keys to text values, each write numbered by a version:
/// protocol::Put -> PutOk{version}, protocol::Get -> GetOk{found, value, version}.
[[nodiscard]] task<void> kv_store_actor(actor_context& self);

/// Where a client finds a store: the actor registered as `name` on node `node`.
struct store_address {
  std::uint32_t node = 0;
  std::string name;
};

/// client: finds every store (through the registries of their nodes, retrying while
/// nodes start), runs `operations` puts and gets on random stores and keys, one at a
/// time, and prints one line: operations, errors, throughput and latency percentiles.
[[nodiscard]] task<void> client_actor(actor_context& self, std::vector<store_address> stores,
                                      std::uint32_t operations, std::string label);

}  // namespace coact::tools
