#include "coact/runtime/sim/buggify.hpp"

#include <string_view>

#include "coact/runtime/stable_hash.hpp"

namespace coact::sim {

thread_local fault_injector* detail::active_injector = nullptr;

namespace {

/// A site's identity, the same in every run of the same build: FNV-1a of file and line.
std::uint64_t site_hash(const char* file, int line) noexcept {
  std::uint64_t h = stable_hash(file);
  h ^= static_cast<std::uint64_t>(line);
  return h * 0x100000001b3ULL;
}

}  // namespace

bool fault_injector::fire(const char* file, int line, double probability) {
  auto [site, first_time] = sites_.try_emplace(site_hash(file, line), false);
  if (first_time) site->second = random_.chance(enable_probability_);
  if (!site->second || !random_.chance(probability)) return false;
  ++fired_;
  return true;
}

fault_scope::fault_scope(fault_injector* injector) noexcept : previous_(detail::active_injector) {
  detail::active_injector = injector;
}

fault_scope::~fault_scope() { detail::active_injector = previous_; }

}  // namespace coact::sim
