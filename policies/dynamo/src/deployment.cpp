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

deployment::deployment(partitioning layout, options settings)
    : layout_(std::move(layout)), options_(std::move(settings)), descriptor_(describe_dynamo()) {}

void deployment::boot(actor_system& system, std::uint32_t node) {
  const std::uint32_t boot_index = boots_[node]++;
  const prng seeds{options_.seed};
  for (const std::uint32_t p : layout_.partitions_on(node)) {
    const auto nodes = layout_.replicas(p);
    replica_settings s{
        .partition = p,
        .node = node,
        .node_name = layout_.name_of(node),
        .members = {nodes.begin(), nodes.end()},
        .refs = &refs_,
        .timing = options_.timing,
        .pending_max = options_.pending_max,
        .random = seeds.split("replica/" + std::to_string(node) + "/" + std::to_string(p) + "/" +
                              std::to_string(boot_index)),
        .storage = options_.storage ? options_.storage(node, "dynamo-" + std::to_string(p) + ".log")
                                    : nullptr,
        .rejoining = !options_.storage && boot_index > 0,
    };
    auto spawned = system.spawn(&partition_replica, std::move(s));
    // A node that cannot start its actors is as good as down: the others carry on.
    if (spawned) refs_.set(node, directory_role(p), spawned.value());
  }
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home) {
  return connect(home, options_.client);
}

std::unique_ptr<client> deployment::connect(std::uint32_t home, client_options options) {
  const std::uint64_t made = ++clients_made_;
  const prng random = prng{options_.seed}.split("client/" + std::to_string(made - 1));
  // The home node in the high half: clients that deployments on other nodes make get other
  // ids.
  const std::uint64_t id = (std::uint64_t{home} << 32) | (made & 0xffff'ffffU);
  return std::make_unique<client>(layout_, refs_, home, id, options, random);
}

result<std::unique_ptr<deployment>> deploy(const kv::topology& where, options settings) {
  const replication::raft_timing& t = settings.timing;
  if (t.heartbeat_period <= duration{0} || t.election_timeout_min <= t.heartbeat_period ||
      t.election_timeout_min > t.election_timeout_max || t.entries_per_message_max == 0) {
    return errc::invalid_argument;
  }
  auto layout = partitioning::make(where, settings.partition_count);
  if (!layout) return layout.error();
  return std::make_unique<deployment>(std::move(layout).value(), std::move(settings));
}

}  // namespace coact::policies::dynamo
