#include "coact/policies/dynamo/partitioning.hpp"

#include <algorithm>
#include <cassert>
#include <set>

#include "coact/runtime/stable_hash.hpp"

namespace coact::policies::dynamo {

result<partitioning> partitioning::make(const kv::topology& where, std::uint32_t partition_count) {
  if (where.replicas.size() < replication_factor) return errc::invalid_argument;
  std::set<std::uint32_t> nodes;
  for (const kv::member& m : where.replicas) {
    if (!nodes.insert(m.node).second) return errc::invalid_argument;
  }
  const auto count =
      partition_count != 0 ? partition_count : static_cast<std::uint32_t>(where.replicas.size());
  return partitioning{where.replicas, count};
}

std::uint32_t partitioning::partition_of(std::string_view key) const noexcept {
  return static_cast<std::uint32_t>(stable_hash(key) % count_);
}

std::array<std::uint32_t, replication_factor> partitioning::replicas(std::uint32_t p) const {
  assert(p < count_);
  std::array<std::uint32_t, replication_factor> nodes{};
  for (std::size_t i = 0; i < replication_factor; ++i) {
    nodes[i] = members_[(p + i) % members_.size()].node;
  }
  return nodes;
}

std::vector<std::uint32_t> partitioning::partitions_on(std::uint32_t node) const {
  std::vector<std::uint32_t> found;
  for (std::uint32_t p = 0; p < count_; ++p) {
    const auto nodes = replicas(p);
    if (std::find(nodes.begin(), nodes.end(), node) != nodes.end()) found.push_back(p);
  }
  return found;
}

std::string partitioning::name_of(std::uint32_t node) const {
  for (const kv::member& m : members_) {
    if (m.node == node && !m.name.empty()) return m.name;
  }
  return std::to_string(node);
}

}  // namespace coact::policies::dynamo
