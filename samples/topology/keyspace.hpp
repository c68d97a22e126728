// What every role of the topology agrees on: how keys map to nodes, and actor names.
#pragma once

#include <cstdint>
#include <string>

namespace topology {

/// splitmix64's finalizer: a cheap, well-mixed hash of a 64-bit value.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// splitmix64: a deterministic PRNG, so that a run's workload depends only on its flags.
struct splitmix64 {
  std::uint64_t state;
  std::uint64_t next() noexcept { return mix64(state += 0x9e3779b97f4a7c15ULL); }
};

/// The storage node owning `key`. Hashed rather than key % n so that the hot low keys
/// of the skewed workload spread over all nodes.
[[nodiscard]] constexpr std::uint32_t owner_of(std::uint64_t key, std::uint32_t nodes) noexcept {
  return static_cast<std::uint32_t>(mix64(key) % nodes);
}

[[nodiscard]] inline std::string node_name(std::uint32_t index) {
  return "node-" + std::to_string(index);
}
inline constexpr const char* cache_name = "cache";

}  // namespace topology
