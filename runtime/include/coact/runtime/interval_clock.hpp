#pragma once

#include <memory>

#include "coact/runtime/clock.hpp"

namespace coact {

/// An interval of time known to contain the true instant, as long as the clock's error
/// stays within its bound.
struct time_interval {
  time_point earliest;
  time_point latest;
  [[nodiscard]] bool contains(time_point t) const noexcept { return earliest <= t && t <= latest; }
};

/// A TrueTime-like clock: the local clock's reading widened by a bound ε on its error, so
/// that `now()` contains the true time whenever the local clock is off by at most ε. The
/// simulator sets the true error inside or beyond ε to test what relies on the bound.
/// Cheap; safe wherever the underlying clock is.
class interval_clock {
 public:
  interval_clock(std::shared_ptr<const clock> local, duration epsilon) noexcept
      : local_(std::move(local)), epsilon_(epsilon) {}

  [[nodiscard]] time_interval now() const noexcept {
    const time_point t = local_->now();
    return {t + -epsilon_, t + epsilon_};
  }
  /// True once `t` has certainly passed (TrueTime's TT.after).
  [[nodiscard]] bool after(time_point t) const noexcept { return now().earliest > t; }
  /// True while `t` has certainly not arrived (TrueTime's TT.before).
  [[nodiscard]] bool before(time_point t) const noexcept { return now().latest < t; }
  [[nodiscard]] duration epsilon() const noexcept { return epsilon_; }

 private:
  std::shared_ptr<const clock> local_;
  duration epsilon_;
};

}  // namespace coact
