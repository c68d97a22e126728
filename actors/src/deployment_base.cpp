#include "coact/actors/deployment_base.hpp"

#include "coact/runtime/sim/world.hpp"

namespace coact::kv {

storage_function simulated_disks(sim::world& w) {
  return [&w](std::uint32_t node, const std::string& file) { return sim_file(w.disk(node), file); };
}

deployment_base::deployment_base(topology nodes, descriptor described, deploy_options options)
    : topology_(std::move(nodes)), descriptor_(std::move(described)), options_(std::move(options)) {
}

prng deployment_base::random(std::uint32_t node, std::string_view stream) const {
  std::uint32_t life = 0;
  {
    std::lock_guard lock{mutex_};
    const auto it = boots_.find(node);
    if (it != boots_.end()) life = it->second - 1;
  }
  return prng{options_.seed}.split(std::string{stream} + "/" + std::to_string(node) + "/" +
                                   std::to_string(life));
}

std::unique_ptr<log_storage> deployment_base::storage(std::uint32_t node,
                                                      const std::string& file) const {
  return options_.storage ? options_.storage(node, file) : nullptr;
}

}  // namespace coact::kv
