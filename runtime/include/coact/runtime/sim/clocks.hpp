#pragma once

#include <memory>

#include "coact/runtime/clock.hpp"

namespace coact::sim {

/// The true time of a simulated world: it stands still until the simulator advances it.
/// Single-threaded, like the simulator.
class virtual_clock final : public clock {
 public:
  [[nodiscard]] time_point now() const noexcept override { return now_; }
  /// Moves time forward; never backward.
  void advance_to(time_point t) noexcept {
    if (t > now_) now_ = t;
  }

 private:
  time_point now_{};
};

/// One node's clock: the true time, off by `offset` and running fast by `drift_ppm` parts
/// per million (slow when negative): local = true + offset + true * drift. Monotonic
/// while drift_ppm > -1e6.
class skewed_clock final : public clock {
 public:
  skewed_clock(std::shared_ptr<const clock> truth, duration offset, double drift_ppm) noexcept
      : truth_(std::move(truth)), offset_(offset), drift_(drift_ppm * 1e-6) {}

  [[nodiscard]] time_point now() const noexcept override { return to_local(truth_->now()); }
  /// The local reading at true time `t`.
  [[nodiscard]] time_point to_local(time_point t) const noexcept;
  /// The true time at which this clock reads `local` (the inverse of to_local).
  [[nodiscard]] time_point to_true(time_point local) const noexcept;

  [[nodiscard]] duration offset() const noexcept { return offset_; }
  [[nodiscard]] double drift_ppm() const noexcept { return drift_ * 1e6; }

 private:
  std::shared_ptr<const clock> truth_;
  duration offset_;
  double drift_;
};

}  // namespace coact::sim
