#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "coact/runtime/clock.hpp"
#include "coact/runtime/result.hpp"

namespace coact::net::tcp {

/// The settings of a phi_accrual_detector. The defaults are Akka's for a heartbeat every
/// 100 ms to 1 s.
struct phi_options {
  /// phi at or above which the peer counts as unavailable; 8 means a false suspicion
  /// about once in 10^8 checks, if the intervals were normal. Finite and > 0.
  double threshold = 8.0;
  /// How many of the latest inter-arrival intervals the estimate uses; older ones are
  /// forgotten. In [2, phi_accrual_detector::window_max].
  std::size_t window = 100;
  /// The least standard deviation the estimate uses, so that perfectly regular
  /// heartbeats do not make the smallest delay fatal. > 0.
  duration min_stddev = std::chrono::milliseconds{50};
  /// A pause tolerated on top of the mean interval (a GC pause, a busy peer). >= 0.
  duration acceptable_pause = std::chrono::milliseconds{0};
  /// The mean interval assumed until the second heartbeat gives a real one (its
  /// standard deviation is taken as a quarter of it). > 0.
  duration first_heartbeat_estimate = std::chrono::seconds{1};
};

/// The phi accrual failure detector (Hayashibara et al., SRDS 2004), as Akka and Cassandra
/// use it. It learns the distribution of a peer's heartbeat inter-arrival times over a
/// bounded window and answers phi = -log10 P(the next heartbeat arrives later than now),
/// taking the intervals as normal with the window's mean (plus acceptable_pause) and
/// standard deviation (at least min_stddev); P comes from Akka's logistic approximation of
/// the normal tail. A pure value: it reads no clock (every instant is passed in), owns
/// its window, and is not thread-safe (one per connection, on the connection's shard).
/// heartbeat() is O(1): running sums, no rescan of the window.
class phi_accrual_detector {
 public:
  /// The largest window validate() accepts: bounds the detector's memory.
  static constexpr std::size_t window_max = 65'536;
  /// The largest phi returned: huge gaps give this finite value, never infinity.
  static constexpr double phi_max = 1e6;

  /// `options` unchanged if valid, else errc::invalid_argument (see phi_options for the
  /// range of each field).
  [[nodiscard]] static result<phi_options> validate(phi_options options);

  /// A detector that has seen no heartbeat. `options` must pass validate() (asserted).
  explicit phi_accrual_detector(phi_options options);

  /// Records a heartbeat that arrived at `arrival`; from the second one on, the interval
  /// since the previous one enters the window, pushing out the oldest when it is full.
  /// `arrival` must not be before the previous heartbeat (asserted): pass instants of one
  /// monotonic clock.
  void heartbeat(time_point arrival);

  /// The suspicion level at `now`: 0 before the first heartbeat (the transport records one
  /// when the connection opens), then growing without bound (capped at phi_max) as `now`
  /// moves away from the last heartbeat. Never NaN. Non-decreasing in `now`.
  [[nodiscard]] double phi(time_point now) const noexcept;

  /// True while phi(now) < threshold: the peer is presumed alive.
  [[nodiscard]] bool available(time_point now) const noexcept;

  /// Forgets every heartbeat and interval, as after a new connection.
  void reset() noexcept;

  /// How many intervals the window holds now: at most options.window.
  [[nodiscard]] std::size_t interval_count() const noexcept { return count_; }

  /// The options it was built with.
  [[nodiscard]] const phi_options& options() const noexcept { return options_; }

 private:
  phi_options options_;
  /// The ring of the latest intervals, in ns; options_.window slots, allocated once.
  std::vector<double> intervals_ns_;
  /// The slot of the oldest interval once the ring is full, else of the next free one.
  std::size_t oldest_ = 0;
  std::size_t count_ = 0;
  /// The sums are of (interval - shift_ns_), shift_ns_ being the first interval since the
  /// window was last empty: shifting keeps the terms small, so that the variance does not
  /// cancel catastrophically and add-then-remove rounding does not drift.
  double shift_ns_ = 0;
  double sum_ns_ = 0;
  double sum_squares_ns2_ = 0;
  std::optional<time_point> last_heartbeat_;
};

}  // namespace coact::net::tcp
