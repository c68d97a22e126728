#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/result.hpp"

namespace coact::workload {

/// A topology's nodes run in this process over real TCP on 127.0.0.1: per node, one actor
/// system of one shard on an io_context and thread of its own, shared with its
/// coact::net::tcp transport (as coact-node runs a node), every pair of nodes connected.
/// For benchmarks and samples that show a family over the network without starting
/// processes. The transports log to standard error, prefixed with `program` and the node's
/// name, until the cluster is being destroyed.
class loopback_cluster {
 public:
  explicit loopback_cluster(std::string program);
  loopback_cluster(const loopback_cluster&) = delete;
  loopback_cluster& operator=(const loopback_cluster&) = delete;
  /// Stops the nodes, those of the highest numbers first (clients are usually last), so that
  /// no client waits on a replica that is gone.
  ~loopback_cluster();

  /// Starts a node per member (numbered 0, 1, ... as their `node`), each listening on an
  /// ephemeral port and connecting to the others. The transports' errors (a port that
  /// cannot be bound).
  [[nodiscard]] result<void> start(const std::vector<kv::member>& members);
  /// Whether every node sees every other up by `deadline`.
  [[nodiscard]] bool connected(std::chrono::steady_clock::time_point deadline) const;
  /// Node `n`'s actor system (n must have been started).
  [[nodiscard]] actor_system& system(std::uint32_t n);

 private:
  class node;

  std::string program_;
  std::atomic<bool> quiet_{false};
  std::vector<std::unique_ptr<node>> nodes_;  // by node number
};

}  // namespace coact::workload
