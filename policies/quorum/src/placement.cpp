#include "coact/policies/quorum/placement.hpp"

#include <cassert>
#include <cstdint>
#include <utility>

#include "coact/runtime/stable_hash.hpp"

namespace coact::policies::quorum {

placement::placement(kv::topology nodes, replication factors)
    : nodes_(std::move(nodes)), factors_(std::move(factors)) {
  for (const auto& [datacenter, factor] : factors_) {
    std::vector<std::size_t> ring;
    for (std::size_t i = 0; i < nodes_.replicas.size(); ++i) {
      if (nodes_.replicas[i].datacenter == datacenter) ring.push_back(i);
    }
    assert(factor >= 1 && factor <= ring.size());
    rings_.push_back(std::move(ring));
  }
}

std::vector<std::size_t> placement::replicas_of(std::string_view key) const {
  const std::uint64_t h = stable_hash(key);
  std::vector<std::size_t> chosen;
  auto factor = factors_.begin();
  for (const auto& ring : rings_) {
    const std::size_t start = h % ring.size();
    for (std::size_t k = 0; k < factor->second; ++k)
      chosen.push_back(ring[(start + k) % ring.size()]);
    ++factor;
  }
  return chosen;
}

}  // namespace coact::policies::quorum
