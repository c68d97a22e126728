#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// What staleness to measure, and optionally to bound.
struct staleness_options {
  /// The delays of the t-visibility curve, in ns; empty means default_visibility_delays_ns().
  std::vector<std::int64_t> delays_ns;
  /// When set, a read lagging by more versions is a violation.
  std::optional<std::uint64_t> version_lag_max;
  /// When set, a read lagging by more time is a violation (e.g. a cache's TTL).
  std::optional<std::int64_t> time_lag_ns_max;
};

/// The default t-visibility grid: 0, then 1, 2, 5 times each power of ten from 1 µs to
/// 10 s.
[[nodiscard]] std::vector<std::int64_t> default_visibility_delays_ns();

/// How stale one ok read was. "Acknowledged before the read" means completed ok before
/// the read was invoked, in the history's order (completed_before); "newer" is
/// write_order's order (version, else real time). Lags are measured in time (`time_ns`).
struct read_staleness {
  operation read;
  /// The latest write of the key acknowledged before the read (greatest in the order);
  /// absent when none was.
  std::optional<operation> latest;
  /// How many writes acknowledged before the read are newer than the one it returned.
  std::uint64_t version_lag = 0;
  /// How long before the read's invocation the first of those newer writes was
  /// acknowledged (how long the value returned had been superseded); 0 if fresh.
  std::int64_t time_lag_ns = 0;

  /// Whether the read missed a write acknowledged before it.
  [[nodiscard]] bool stale() const noexcept { return version_lag > 0; }
};

/// One point of the t-visibility curve (Bailis et al., PBS).
struct visibility_point {
  std::int64_t delay_ns = 0;
  /// Reads invoked after a write w was acknowledged and before the next write of the key
  /// was invoked (in the history's order), at least delay_ns after w's acknowledgement (in
  /// time).
  std::size_t read_count = 0;
  std::size_t fresh_count = 0;  ///< those that returned w or a newer write
  double probability = 0;       ///< fresh_count / read_count; 0 when read_count is 0
};

/// Staleness over all judged reads. Percentiles are nearest-rank; all 0 without reads.
struct staleness_summary {
  double stale_fraction = 0;
  std::uint64_t version_lag_max = 0;
  std::uint64_t version_lag_p50 = 0;
  std::uint64_t version_lag_p99 = 0;
  std::int64_t time_lag_ns_max = 0;
  std::int64_t time_lag_ns_p50 = 0;
  std::int64_t time_lag_ns_p99 = 0;
};

/// What a staleness violation broke.
enum class staleness_violation_kind : std::uint8_t {
  unknown_value,         ///< a read returned a value no ok or info write wrote: not judged
  version_lag_exceeded,  ///< lagged by more than options.version_lag_max versions
  time_lag_exceeded,     ///< lagged by more than options.time_lag_ns_max
};

[[nodiscard]] const char* to_string(staleness_violation_kind k) noexcept;

/// One read that could not be judged, or lagged beyond a bound.
struct staleness_violation {
  staleness_violation_kind kind = staleness_violation_kind::unknown_value;
  std::string session;  ///< as session_of names it
  std::int64_t process = 0;
  std::string key;
  operation read;
  std::optional<operation> latest;  ///< lag kinds: the latest write acknowledged before it
  std::string reason;               ///< one line, for people
};

/// The measurements of measure_staleness.
struct staleness_report {
  std::vector<staleness_violation> violations;  ///< in read invocation order
  std::vector<read_staleness> reads;            ///< every judged ok read, in invocation order
  staleness_summary summary;
  std::vector<visibility_point> visibility;  ///< one per delay, in the order given
  std::size_t read_count = 0;                ///< ok reads judged
  std::size_t write_count = 0;               ///< acknowledged writes

  /// True when every read could be judged and none lagged beyond a bound.
  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Measures, for every ok read, how far it lagged behind the writes acknowledged before
/// it, summarises the lags, and computes the t-visibility curve; O(n log n + delays).
/// Reads are matched to writes and writes ordered as write_order does. Fails with
/// errc::invalid_argument for a negative delay or time bound, and with errc::parse_error
/// when the history does not pair up.
[[nodiscard]] result<staleness_report> measure_staleness(const history& h,
                                                         const staleness_options& options = {});

}  // namespace coact::check
