#include "bench_topology.hpp"

namespace coact::bench {

namespace {
constexpr std::uint32_t replica_count_max = 64;
}  // namespace

result<bench_topology> bench_topology::make(std::uint32_t replica_count,
                                            std::uint32_t datacenter_count) {
  if (datacenter_count == 0 || datacenter_count > replica_count ||
      replica_count > replica_count_max) {
    return errc::invalid_argument;
  }
  bench_topology t;
  const auto datacenter = [](std::uint32_t d) { return "dc" + std::to_string(d + 1); };
  for (std::uint32_t i = 0; i < replica_count; ++i) {
    // Contiguous blocks, the first datacenters one larger when the split is uneven.
    const std::uint32_t d = i * datacenter_count / replica_count;
    t.replicas.replicas.push_back({i, "r" + std::to_string(i), datacenter(d)});
  }
  for (std::uint32_t d = 0; d < datacenter_count; ++d) {
    t.replicas.clients.push_back({replica_count + d, "c" + std::to_string(d + 1), datacenter(d)});
  }
  return t;
}

std::vector<kv::member> bench_topology::nodes() const {
  std::vector<kv::member> all = replicas.replicas;
  all.insert(all.end(), replicas.clients.begin(), replicas.clients.end());
  return all;
}

std::string bench_topology::label() const {
  const auto n = replicas.replicas.size();
  const auto d = replicas.clients.size();
  return std::to_string(n) + " node" + (n == 1 ? "" : "s") + ", " + std::to_string(d) + " DC" +
         (d == 1 ? "" : "s");
}

std::string bench_topology::slug() const {
  return std::to_string(replicas.replicas.size()) + "n-" + std::to_string(replicas.clients.size()) +
         "dc";
}

}  // namespace coact::bench
