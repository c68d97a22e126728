#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// The latencies of one kind of operation, in ms. Percentiles are nearest-rank over the
/// operations that completed ok, within latency_histogram::relative_error_max; all 0 when
/// none did.
struct latency_stats {
  std::size_t ok_count = 0;
  /// fail (certainly not applied) or info (unknown: a timeout, an unmet level).
  std::size_t failed_count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

/// The nearest-rank `q` quantile (q in [0, 1]) of `values`, which it sorts; 0 when empty.
[[nodiscard]] double quantile(std::vector<double>& values, double q);

/// What one workload run measured, from its recorded history.
struct run_summary {
  latency_stats reads;
  latency_stats writes;
  /// From the first invocation to the last ok completion, in seconds.
  double span_s = 0;
  /// Operations that completed ok per second, over that span.
  double throughput_per_s = 0;
  /// The fraction of ok reads that missed a write acknowledged before they began
  /// (check::measure_staleness).
  double stale_fraction = 0;
  /// Reads the staleness checker could not judge (a value no write wrote): 0 unless the
  /// policy returned something it was never given.
  std::size_t unjudged_reads = 0;
};

/// Latencies, throughput and staleness of a key-value history, measured by a run_meter.
/// Errors: errc::parse_error for a history that does not pair up (check::pair_operations).
[[nodiscard]] result<run_summary> summarise(const check::history& h);

}  // namespace coact::bench
