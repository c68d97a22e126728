#include "coact/policies/strong/deployment.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/directory.hpp"

namespace coact::policies::strong {
namespace {

class raft_deployment final : public kv::deployment {
 public:
  raft_deployment(kv::topology topology, options settings)
      : topology_(std::move(topology)), options_(std::move(settings)) {
    for (const auto& m : topology_.replicas) members_.push_back(m.node);
    descriptor_ = {
        .family = "strong",
        .guarantees =
            "linearizable get, put and cas (Raft: majority commit, ReadIndex reads, "
            "retried writes applied once)",
        .under_partition = kv::availability::unavailable,
        .round_trips =
            "get: 2 RTT (client-leader, leader-majority heartbeat); put, cas: 2 RTT "
            "(client-leader, leader-majority append) and a log sync on the leader "
            "and on a majority",
    };
  }

  [[nodiscard]] const kv::descriptor& describe() const override { return descriptor_; }

  void boot(actor_system& system, std::uint32_t node) override {
    assert(std::find(members_.begin(), members_.end(), node) != members_.end());
    const std::uint32_t life = boots_[node]++;
    raft_node_config config{
        .node = node,
        .members = members_,
        .directory = &directory_,
        .timing = options_.timing,
        .storage = options_.storage ? options_.storage(node) : nullptr,
        .random = prng{options_.seed}.split("strong/raft/" + std::to_string(node) + "/" +
                                            std::to_string(life)),
        .on_leader = options_.on_leader,
    };
    auto ref = system.spawn(&raft_node, std::move(config));
    // A system that refuses to spawn is shutting down: its node serves nothing anyway.
    if (ref) directory_.set(node, raft_role, ref.value());
  }

  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t) override {
    return std::make_unique<raft_client>(directory_, topology_.replicas, ++clients_,
                                         options_.client);
  }

 private:
  kv::topology topology_;
  options options_;
  std::vector<std::uint32_t> members_;
  kv::descriptor descriptor_;
  kv::directory directory_;
  std::map<std::uint32_t, std::uint32_t> boots_;  // per node: boots so far
  std::uint64_t clients_ = 0;
};

}  // namespace

std::unique_ptr<kv::deployment> deploy(kv::topology topology, options settings) {
  return std::make_unique<raft_deployment>(std::move(topology), std::move(settings));
}

}  // namespace coact::policies::strong
