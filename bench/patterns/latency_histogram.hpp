#pragma once

#include <cstdint>
#include <vector>

namespace coact::bench {

/// Latencies in log-linear buckets (as HdrHistogram lays them out): exact below 1,024 ns,
/// then 512 buckets per power of two, so a run's latencies take at most 28,672 counters
/// however many operations it has, instead of one sample each.
class latency_histogram {
 public:
  /// How much quantile() may differ from the exact nearest-rank quantile, relative to it:
  /// a bucket is at most 1/512 of its lower bound wide and reports its midpoint.
  static constexpr double relative_error_max = 1.0 / 1024;

  void record(std::uint64_t ns);

  /// The nearest-rank `q` quantile (q in [0, 1]) of the values recorded, within
  /// relative_error_max of the exact one; the exact minimum and maximum for the first and
  /// last ranks; 0 when nothing was recorded.
  [[nodiscard]] std::uint64_t quantile(double q) const;
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }

 private:
  /// Counts by bucket; grown to the largest bucket used.
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace coact::bench
