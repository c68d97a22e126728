#include "coact/net/tcp/failure_detector.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace coact::net::tcp {
namespace {

double to_ns(duration d) noexcept { return static_cast<double>(d.count()); }

/// to - from, in ns: exact when the counts have the same sign (their difference then
/// cannot overflow), else through doubles, which cannot overflow either.
double elapsed_ns(time_point from, time_point to) noexcept {
  const duration::rep a = to.since_epoch.count();
  const duration::rep b = from.since_epoch.count();
  if ((a >= 0) == (b >= 0)) return static_cast<double>(a - b);
  return static_cast<double>(a) - static_cast<double>(b);
}

/// -log10 P(X > mean + y * stddev) for a normal X, with Akka's logistic approximation
/// P ≈ 1 / (1 + e^g), g = y (1.5976 + 0.070566 y²). -log10 P is then softplus(g) / ln 10,
/// computed so that exp never overflows nor underflows to a log of zero.
double phi_of_deviation(double y) noexcept {
  const double g = y * (1.5976 + 0.070566 * y * y);
  const double softplus = g > 0 ? g + std::log1p(std::exp(-g)) : std::log1p(std::exp(g));
  return std::min(softplus / std::numbers::ln10, phi_accrual_detector::phi_max);
}

}  // namespace

result<phi_options> phi_accrual_detector::validate(phi_options options) {
  const bool valid = std::isfinite(options.threshold) && options.threshold > 0 &&
                     options.window >= 2 && options.window <= window_max &&
                     options.min_stddev > duration::zero() &&
                     options.acceptable_pause >= duration::zero() &&
                     options.first_heartbeat_estimate > duration::zero();
  if (!valid) return errc::invalid_argument;
  return options;
}

phi_accrual_detector::phi_accrual_detector(phi_options options)
    : options_{options}, intervals_ns_(options.window, 0.0) {
  assert(validate(options).has_value());
}

void phi_accrual_detector::heartbeat(time_point arrival) {
  if (!last_heartbeat_) {
    last_heartbeat_ = arrival;
    return;
  }
  assert(arrival >= *last_heartbeat_);
  const double interval_ns = elapsed_ns(*last_heartbeat_, arrival);
  last_heartbeat_ = arrival;

  if (count_ == 0) shift_ns_ = interval_ns;
  const std::size_t window = intervals_ns_.size();
  if (count_ == window) {
    const double old = intervals_ns_[oldest_] - shift_ns_;
    sum_ns_ -= old;
    sum_squares_ns2_ -= old * old;
    intervals_ns_[oldest_] = interval_ns;
    oldest_ = (oldest_ + 1) % window;
  } else {
    intervals_ns_[(oldest_ + count_) % window] = interval_ns;
    ++count_;
  }
  const double added = interval_ns - shift_ns_;
  sum_ns_ += added;
  sum_squares_ns2_ += added * added;
  assert(count_ >= 1 && count_ <= window);
}

double phi_accrual_detector::phi(time_point now) const noexcept {
  if (!last_heartbeat_) return 0.0;
  double mean_ns = to_ns(options_.first_heartbeat_estimate);
  double stddev_ns = mean_ns / 4;
  if (count_ > 0) {
    const double n = static_cast<double>(count_);
    const double shifted_mean_ns = sum_ns_ / n;
    mean_ns = shift_ns_ + shifted_mean_ns;
    // Rounding can leave a tiny negative variance for identical intervals.
    stddev_ns = std::sqrt(std::max(0.0, sum_squares_ns2_ / n - shifted_mean_ns * shifted_mean_ns));
  }
  stddev_ns = std::max(stddev_ns, to_ns(options_.min_stddev));
  mean_ns += to_ns(options_.acceptable_pause);
  assert(stddev_ns > 0);
  const double since_ns = elapsed_ns(*last_heartbeat_, now);
  const double phi = phi_of_deviation((since_ns - mean_ns) / stddev_ns);
  assert(phi >= 0 && phi <= phi_max);
  return phi;
}

bool phi_accrual_detector::available(time_point now) const noexcept {
  return phi(now) < options_.threshold;
}

void phi_accrual_detector::reset() noexcept {
  oldest_ = 0;
  count_ = 0;
  shift_ns_ = 0;
  sum_ns_ = 0;
  sum_squares_ns2_ = 0;
  last_heartbeat_.reset();
}

}  // namespace coact::net::tcp
