#include "coact/actors/deployment_base.hpp"

#include "coact/runtime/sim/world.hpp"

namespace coact::kv {

storage_function simulated_disks(sim::world& w, std::string file) {
  return [&w, file = std::move(file)](std::uint32_t node) { return sim_file(w.disk(node), file); };
}

deployment_base::deployment_base(topology nodes, descriptor described, deploy_options options)
    : topology_(std::move(nodes)), descriptor_(std::move(described)), options_(std::move(options)) {
}

deployment_base::boot_kit deployment_base::next_boot(std::uint32_t node, std::string_view stream) {
  const std::uint32_t life = boots_[node]++;
  return {.storage = options_.storage ? options_.storage(node) : nullptr,
          .random = prng{options_.seed}.split(std::string{stream} + "/" + std::to_string(node) +
                                              "/" + std::to_string(life)),
          .life = life};
}

}  // namespace coact::kv
