#include "coact/policies/dynamo/deployment.hpp"

#include <string>
#include <utility>

#include "coact/policies/dynamo/partition_replica.hpp"

namespace coact::policies::dynamo {
namespace {

kv::descriptor describe_dynamo() {
  return {
      .family = "dynamo",
      .guarantees =
          "writes and consistent reads linearizable per key; eventually consistent reads "
          "return committed values, maybe stale; replicas converge; no acknowledged write "
          "lost (with storage: under any crashes)",
      .under_partition = kv::availability::unavailable,
      .round_trips =
          "write: 1 RTT to the leader + 1 RTT leader to one replica; consistent "
          "read: the same; eventual read: 1 RTT to any replica",
  };
}

}  // namespace

deployment::deployment(kv::topology where, partitioning layout, options settings)
    : deployment_base(std::move(where), describe_dynamo(), settings), layout_(std::move(layout)),
      settings_(std::move(settings)) {}

void deployment::boot(actor_system& system, std::uint32_t node) {
  const std::uint32_t life = count_boot(node);
  for (const std::uint32_t p : layout_.partitions_on(node)) {
    const auto nodes = layout_.replicas(p);
    replica_settings s{
        .partition = p,
        .node = node,
        .node_name = layout_.name_of(node),
        .members = {nodes.begin(), nodes.end()},
        .refs = directory_.get(),
        .timing = settings_.timing,
        .pending_max = settings_.pending_max,
        .random = random(node, "dynamo/replica/" + std::to_string(p)),
        .storage = storage(node, "dynamo-" + std::to_string(p) + ".log"),
        .rejoining = !settings_.storage && life > 0,
    };
    auto spawned = system.spawn(&partition_replica, std::move(s));
    // A node that cannot start its actors is as good as down: the others carry on.
    if (spawned) directory_->set(node, directory_role(p), spawned.value());
  }
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home) {
  return connect(home, settings_.client);
}

std::unique_ptr<client> deployment::connect(std::uint32_t home, client_options options) {
  const std::uint64_t made = next_client_id();
  const prng random = prng{settings_.seed}.split("client/" + std::to_string(made - 1));
  // The home node in the high half: clients that deployments on other nodes make get other
  // ids.
  const std::uint64_t id = (std::uint64_t{home} << 32) | (made & 0xffff'ffffU);
  return std::make_unique<client>(layout_, *directory_, home, id, options, random);
}

result<std::unique_ptr<deployment>> deploy(kv::topology where, options settings) {
  if (!replication::valid(settings.timing)) return errc::invalid_argument;
  auto layout = partitioning::make(where, settings.partition_count);
  if (!layout) return layout.error();
  return std::make_unique<deployment>(std::move(where), std::move(layout).value(),
                                      std::move(settings));
}

}  // namespace coact::policies::dynamo
