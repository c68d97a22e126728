#pragma once

#include <cstdint>
#include <string_view>

namespace coact {

/// coact's own pseudo-random generator (xoshiro256**, seeded through splitmix64), with its
/// own distributions: the standard library's distributions differ between
/// implementations, which would break replay of a seed. Same seed, same sequence, on every
/// platform. Used by the simulator and by real runs alike (reconnect jitter, election
/// timeouts). Not thread-safe: one generator per subsystem, on one thread.
class prng {
 public:
  explicit prng(std::uint64_t seed) noexcept;

  /// An independent stream for one subsystem (the network, one node's faults, ...), derived
  /// from this generator's seed and the stream's name, not from its position: adding draws
  /// to one subsystem never shifts another's.
  [[nodiscard]] prng split(std::string_view stream) const noexcept;

  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

  /// 64 uniformly distributed bits.
  [[nodiscard]] std::uint64_t next() noexcept;
  /// Uniform in [0, bound); 0 when bound is 0. Unbiased (Lemire's multiply-and-reject).
  [[nodiscard]] std::uint64_t below(std::uint64_t bound) noexcept;
  /// Uniform in [low, high]; requires low <= high.
  [[nodiscard]] std::int64_t between(std::int64_t low, std::int64_t high) noexcept;
  /// Uniform in [0, 1), 53 bits of precision.
  [[nodiscard]] double unit() noexcept;
  /// True with probability p (clamped to [0, 1]).
  [[nodiscard]] bool chance(double p) noexcept;
  /// Exponential with rate `rate` (mean 1/rate); requires rate > 0.
  [[nodiscard]] double exponential(double rate) noexcept;
  /// Pareto with scale x_m (the minimum) and shape alpha; requires both > 0.
  [[nodiscard]] double pareto(double scale, double shape) noexcept;
  /// Normal with the given mean and standard deviation (Box-Muller, one value per call).
  [[nodiscard]] double normal(double mean, double stddev) noexcept;

 private:
  std::uint64_t seed_;
  std::uint64_t state_[4];
};

}  // namespace coact
