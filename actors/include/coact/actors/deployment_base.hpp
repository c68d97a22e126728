#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::sim {
class world;
}

namespace coact::kv {

/// Where a replica node keeps its durable file `file` (a family names its files, e.g.
/// "raft.log", or one per partition): called at each boot of the node, on the thread that
/// boots it; null (or an empty function) makes the node volatile.
using storage_function =
    std::function<std::unique_ptr<log_storage>(std::uint32_t node, const std::string& file)>;

/// Durable replicas on a simulated world's disks: node n's file f is file f of w.disk(n).
/// `w` must outlive the deployment's replicas.
[[nodiscard]] storage_function simulated_disks(sim::world& w);

/// What every family's options start with.
struct deploy_options {
  /// Durable replicas through this; empty: volatile replicas, safe only where no replica
  /// crashes and comes back (or the family says how it rejoins).
  storage_function storage;
  /// Each node's each boot draws its random choices from its own stream of this seed.
  std::uint64_t seed = 1;
};

/// What a family's deployment shares with every other: its topology and descriptor, the
/// directory of its actors' current references, and per boot of a node, the node's
/// storage and a random stream of its own.
class deployment_base : public deployment {
 public:
  [[nodiscard]] const descriptor& describe() const override { return descriptor_; }
  /// The actors' current references, by (node, role).
  [[nodiscard]] const kv::directory& directory() const noexcept { return *directory_; }

 protected:
  deployment_base(topology nodes, descriptor described, deploy_options options);

  /// Counts a boot of `node`, by which the calls below number its lives; the node's
  /// boots before this one.
  std::uint32_t count_boot(std::uint32_t node) {
    std::lock_guard lock{mutex_};
    return boots_[node]++;
  }
  /// The random stream of `stream` (e.g. "strong/raft") on `node` in its current boot:
  /// each boot of each node draws from its own.
  [[nodiscard]] prng random(std::uint32_t node, std::string_view stream) const;
  /// The node's file `file`, or null (volatile) without options_.storage.
  [[nodiscard]] std::unique_ptr<log_storage> storage(std::uint32_t node,
                                                     const std::string& file) const;
  /// A number for the next client made, from 1.
  [[nodiscard]] std::uint64_t next_client_id() {
    std::lock_guard lock{mutex_};
    return ++clients_;
  }

  topology topology_;
  descriptor descriptor_;
  deploy_options options_;
  std::shared_ptr<kv::directory> directory_ = std::make_shared<kv::directory>();

 private:
  /// Guards the counters: nodes may boot, and clients be made, on several threads.
  mutable std::mutex mutex_;
  std::map<std::uint32_t, std::uint32_t> boots_;  // per node: boots so far
  std::uint64_t clients_ = 0;
};

}  // namespace coact::kv
