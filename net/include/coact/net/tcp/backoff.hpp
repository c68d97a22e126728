#pragma once

#include <chrono>
#include <cstdint>

#include "coact/runtime/clock.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"

namespace coact::net::tcp {

/// The settings of a backoff.
struct backoff_options {
  /// The ceiling of the first delay. > 0.
  duration initial = std::chrono::milliseconds{50};
  /// The largest ceiling: the exponential stops growing here. >= initial.
  duration max = std::chrono::seconds{5};
  /// The growth of the ceiling per attempt. Finite and >= 1.
  double multiplier = 2.0;
};

/// Jittered exponential delays between reconnect attempts, "equal jitter" (AWS
/// Architecture Blog, "Exponential Backoff And Jitter"): attempt k's ceiling is
/// min(max, initial * multiplier^k), and its delay is half the ceiling plus a uniform
/// random part of the other half. Unlike "full jitter", the delay never drops towards
/// zero, so a flapping peer is never hammered; the random half still spreads out nodes
/// that lost a peer at the same instant. A pure value: it reads no clock, owns its
/// generator (seeded from std::random_device in real runs, from the simulation's seed
/// in simulations), and is not thread-safe (one per peer, on its shard).
class backoff {
 public:
  /// `options` unchanged if valid, else errc::invalid_argument (see backoff_options for
  /// the range of each field).
  [[nodiscard]] static result<backoff_options> validate(backoff_options options);

  /// Delays drawn from `random`. `options` must pass validate() (asserted).
  backoff(backoff_options options, coact::prng random);

  /// The delay before the next attempt, in [ceil(ceiling() / 2), ceiling()] (so at least
  /// 1 ns); then counts the attempt and grows the ceiling. Draws one value from the
  /// generator.
  [[nodiscard]] duration next() noexcept;

  /// Back to the first ceiling and zero attempts, after a successful connection. The
  /// generator goes on: it is not reseeded.
  void reset() noexcept;

  /// How many delays next() gave since construction or reset() (saturates, never wraps).
  [[nodiscard]] std::uint32_t attempts() const noexcept { return attempts_; }

  /// The ceiling of the next delay: initial after reset(), max once reached.
  [[nodiscard]] duration ceiling() const noexcept { return ceiling_; }

 private:
  backoff_options options_;
  coact::prng random_;
  duration ceiling_;
  std::uint32_t attempts_ = 0;
};

}  // namespace coact::net::tcp
