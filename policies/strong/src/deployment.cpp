#include "coact/policies/strong/deployment.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "coact/runtime/assert.hpp"

namespace coact::policies::strong {
namespace {

class raft_deployment final : public kv::deployment_base {
 public:
  raft_deployment(kv::topology topology, options settings)
      : deployment_base(
            std::move(topology),
            {.family = "strong",
             .guarantees = "linearizable get, put and cas (Raft: majority commit, "
                           "ReadIndex reads, retried writes applied once)",
             .under_partition = kv::availability::unavailable,
             .round_trips = "get: 2 RTT (client-leader, leader-majority heartbeat); put, cas: "
                            "2 RTT (client-leader, leader-majority append) and a log sync on "
                            "the leader and on a majority"},
            settings),
        settings_(std::move(settings)) {
    for (const auto& m : topology_.replicas) members_.push_back(m.node);
  }

  void boot(actor_system& system, std::uint32_t node) override {
    COACT_ASSERT(std::find(members_.begin(), members_.end(), node) != members_.end());
    count_boot(node);
    auto ref = system.spawn(&raft_node, raft_node_config{.node = node,
                                                         .members = members_,
                                                         .directory = directory_.get(),
                                                         .timing = settings_.timing,
                                                         .storage = storage(node, "raft.log"),
                                                         .random = random(node, "strong/raft"),
                                                         .on_leader = settings_.on_leader});
    // A system that refuses to spawn is shutting down: its node serves nothing anyway.
    if (ref) directory_->set(node, raft_role, ref.value());
  }

  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t) override {
    return std::make_unique<raft_client>(*directory_, topology_.replicas, next_client_id(),
                                         settings_.client);
  }

 private:
  options settings_;
  std::vector<std::uint32_t> members_;
};

}  // namespace

result<std::unique_ptr<kv::deployment>> deploy(kv::topology topology, options settings) {
  if (!kv::distinct_replicas(topology)) return errc::invalid_argument;
  return std::make_unique<raft_deployment>(std::move(topology), std::move(settings));
}

}  // namespace coact::policies::strong
