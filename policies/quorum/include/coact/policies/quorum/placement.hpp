#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/policies/quorum/level.hpp"

namespace coact::policies::quorum {

/// Which members of a topology hold each key, as Cassandra's NetworkTopologyStrategy
/// places them: in each datacenter, the members (in topology order) form a ring, and the
/// key's replicas there are `factor` consecutive members starting at the key's hash. With
/// a datacenter's factor equal to its member count, every member holds every key. The hash
/// (FNV-1a) is coact's own, so placement is the same on every platform. Immutable.
class placement {
 public:
  /// `factors` must name only datacenters of `nodes`, each with 1 to its member count
  /// replicas (deploy checks that).
  placement(kv::topology nodes, replication factors);

  /// The key's replicas: indices into topology().replicas, datacenter by datacenter.
  [[nodiscard]] std::vector<std::size_t> replicas_of(std::string_view key) const;

  [[nodiscard]] const kv::topology& topology() const noexcept { return nodes_; }
  [[nodiscard]] const replication& factors() const noexcept { return factors_; }

 private:
  kv::topology nodes_;
  replication factors_;
  /// Per datacenter (in factors_ order): its members' indices, in topology order.
  std::vector<std::vector<std::size_t>> rings_;
};

}  // namespace coact::policies::quorum
