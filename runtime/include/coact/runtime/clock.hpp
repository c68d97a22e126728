#pragma once

#include <chrono>

namespace coact {

/// Durations and instants of coact time. Every actor reads time through a clock, never
/// std::chrono directly, so the simulator can substitute virtual or skewed time.
using duration = std::chrono::nanoseconds;
struct time_point {
  duration since_epoch{0};
  friend auto operator<=>(const time_point&, const time_point&) = default;
  friend time_point operator+(time_point t, duration d) { return {t.since_epoch + d}; }
  friend duration operator-(time_point a, time_point b) { return a.since_epoch - b.since_epoch; }
};

/// The source of time for one shard. Implementations must be cheap to call and safe to
/// call from the owning shard's thread; real_clock is also safe from any thread.
class clock {
 public:
  virtual ~clock() = default;
  /// The current instant on this clock.
  [[nodiscard]] virtual time_point now() const noexcept = 0;
};

/// Monotonic wall time (std::chrono::steady_clock).
class real_clock final : public clock {
 public:
  [[nodiscard]] time_point now() const noexcept override {
    return {std::chrono::duration_cast<duration>(
        std::chrono::steady_clock::now().time_since_epoch())};
  }
};

}  // namespace coact
