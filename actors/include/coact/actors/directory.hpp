#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "coact/runtime/actor_ref.hpp"

namespace coact::kv {

/// Where a deployment's actors are now: (node, role) to the actor's current reference,
/// updated when a node boots (a restarted node's actors have new references). It stands
/// in for service discovery between the nodes of one simulated world or one process.
/// Thread-safe.
class directory {
 public:
  void set(std::uint32_t node, const std::string& role, actor_ref ref) {
    std::lock_guard lock{mutex_};
    refs_[{node, role}] = ref;
  }
  /// The actor's reference, or an invalid one (its messages become dead letters) if the
  /// node never booted that role.
  [[nodiscard]] actor_ref get(std::uint32_t node, const std::string& role) const {
    std::lock_guard lock{mutex_};
    const auto it = refs_.find({node, role});
    return it == refs_.end() ? actor_ref{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::uint32_t, std::string>, actor_ref> refs_;
};

}  // namespace coact::kv
