#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace coact {

/// The address of one incarnation of an actor: a small copyable value.
/// A reference to an actor that has stopped stays safe to use: messages sent to it
/// become dead letters (and asks fail with errc::actor_gone), because a restarted or
/// new actor in the same slot gets a new generation.
struct actor_ref {
  std::uint32_t node = 0;
  std::uint32_t shard = 0;
  std::uint32_t id = 0;
  /// Zero never names a live actor, so a default-constructed reference is "nobody".
  std::uint32_t generation = 0;

  [[nodiscard]] bool valid() const noexcept { return generation != 0; }
  explicit operator bool() const noexcept { return valid(); }
  friend auto operator<=>(const actor_ref&, const actor_ref&) = default;
};

}  // namespace coact

template <>
struct std::hash<coact::actor_ref> {
  std::size_t operator()(const coact::actor_ref& r) const noexcept {
    std::uint64_t h = (std::uint64_t{r.node} << 48) ^ (std::uint64_t{r.shard} << 32) ^
                      (std::uint64_t{r.id} * 0x9e3779b97f4a7c15ULL) ^ r.generation;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};
