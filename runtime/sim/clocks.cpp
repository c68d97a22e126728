#include "coact/runtime/sim/clocks.hpp"

#include <cmath>

namespace coact::sim {

time_point skewed_clock::to_local(time_point t) const noexcept {
  const auto ns = static_cast<double>(t.since_epoch.count());
  return {t.since_epoch + offset_ + duration{std::llround(ns * drift_)}};
}

time_point skewed_clock::to_true(time_point local) const noexcept {
  const auto ns = static_cast<double>((local.since_epoch - offset_).count());
  // Rounded up, so that at the returned true time the local clock has reached `local`.
  const auto t = static_cast<duration::rep>(std::ceil(ns / (1.0 + drift_)));
  time_point truth{duration{t}};
  while (to_local(truth) < local) truth = truth + duration{1};
  return truth;
}

}  // namespace coact::sim
