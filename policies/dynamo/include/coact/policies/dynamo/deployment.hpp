#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "coact/actors/deployment_base.hpp"
#include "coact/policies/dynamo/client.hpp"
#include "coact/policies/dynamo/options.hpp"
#include "coact/policies/dynamo/partitioning.hpp"

namespace coact::policies::dynamo {

/// The dynamo policy on a topology: at each boot of a replica node, one partition_replica
/// actor for every partition with a replica there, its reference put in the directory
/// under directory_role(partition); clients for actors on any node.
class deployment final : public kv::deployment_base {
 public:
  deployment(kv::topology where, partitioning layout, options settings);

  /// Spawns the node's partition replicas on `system` (nothing for a node outside the
  /// topology). With options.storage, each opens its log file "dynamo-<partition>.log";
  /// without, a node booted before starts its replicas as rejoining.
  void boot(actor_system& system, std::uint32_t node) override;
  /// A client with the deployment's default client options.
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override;
  /// A client with its own options (e.g. consistent reads by default). Its id (the first
  /// half of its writes' idempotency tokens) is `home` and the count of clients this
  /// deployment made: unique among the clients of every deployment object that makes its
  /// clients on its own nodes only.
  [[nodiscard]] std::unique_ptr<client> connect(std::uint32_t home, client_options options);

  [[nodiscard]] const partitioning& layout() const noexcept { return layout_; }

 private:
  partitioning layout_;
  options settings_;
};

/// Sets the dynamo policy up on `where`. errc::invalid_argument if the topology has fewer
/// than 3 replica nodes (or repeats one), or the timing is inconsistent (a zero heartbeat,
/// an election timeout not above the heartbeat, min above max, no entries per message).
[[nodiscard]] result<std::unique_ptr<deployment>> deploy(kv::topology where, options settings);

}  // namespace coact::policies::dynamo
