#pragma once

#include <cstdint>
#include <vector>

#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// How often each key is chosen.
enum class key_skew : std::uint8_t {
  uniform,  ///< every key equally often
  zipfian,  ///< key k (from 0) with probability proportional to 1 / (k + 1)^s
};

/// Draws key numbers in [0, key_count) with a uniform or Zipfian skew. A value type,
/// immutable once made: clients on any shard may share one. Draws come from the prng
/// passed in, so a seed replays the same keys.
class key_chooser {
 public:
  /// invalid_argument unless key_count >= 1 and, for zipfian, s is finite and > 0.
  [[nodiscard]] static result<key_chooser> make(std::uint64_t key_count, key_skew skew,
                                                double s = 0.99);

  /// One key number; draws one value from `random`.
  [[nodiscard]] std::uint64_t next(coact::prng& random) const;
  [[nodiscard]] std::uint64_t key_count() const noexcept { return key_count_; }
  /// The probability of key `k` (0 outside the key space).
  [[nodiscard]] double probability(std::uint64_t k) const noexcept;

 private:
  key_chooser(std::uint64_t key_count, std::vector<double> cumulative)
      : key_count_(key_count), cumulative_(std::move(cumulative)) {}

  std::uint64_t key_count_;
  /// Zipfian only: cumulative_[k] = P(key <= k); empty for uniform.
  std::vector<double> cumulative_;
};

}  // namespace coact::bench
