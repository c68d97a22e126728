#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// The nodes of one benchmark run: replica nodes 0 to replica_count - 1, spread over
/// datacenters dc1, dc2, ... in contiguous blocks (the first blocks one larger when the
/// split is uneven), then one client node per datacenter, which hosts no replica. Clients live on
/// the client nodes, so every operation crosses the network as it would from an application server.
struct bench_topology {
  /// What the policies are deployed on: the replica nodes and the client nodes.
  kv::topology replicas;

  /// The client nodes, one per datacenter.
  [[nodiscard]] const std::vector<kv::member>& clients() const noexcept { return replicas.clients; }

  /// invalid_argument unless 1 <= datacenter_count <= replica_count <= 64.
  [[nodiscard]] static result<bench_topology> make(std::uint32_t replica_count,
                                                   std::uint32_t datacenter_count);

  /// Every node, replicas first, in node order.
  [[nodiscard]] std::vector<kv::member> nodes() const;
  [[nodiscard]] std::uint32_t datacenter_count() const noexcept {
    return static_cast<std::uint32_t>(clients().size());
  }
  /// "3 nodes, 1 DC".
  [[nodiscard]] std::string label() const;
  /// "3n-1dc": the label as file names carry it.
  [[nodiscard]] std::string slug() const;
};

}  // namespace coact::bench
