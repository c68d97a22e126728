#include "run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "coact/check/staleness.hpp"

namespace coact::bench {

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

latency_stats summarise_latencies(std::vector<double> completed, std::size_t failed) {
  latency_stats s;
  s.ok_count = completed.size();
  s.failed_count = failed;
  s.p50_ms = quantile(completed, 0.5);
  s.p99_ms = quantile(completed, 0.99);
  s.p999_ms = quantile(completed, 0.999);
  s.max_ms = completed.empty() ? 0 : completed.back();
  return s;
}

result<run_summary> summarise(const check::history& h) {
  BOOST_OUTCOME_TRY(auto ops, check::pair_operations(h));
  std::vector<double> reads;
  std::vector<double> writes;
  std::size_t failed_reads = 0;
  std::size_t failed_writes = 0;
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const check::operation& op : ops) {
    const bool read = op.f == check::op_kind::read;
    first = std::min(first, op.invoke_ns);
    if (op.outcome != check::event_type::ok) {
      ++(read ? failed_reads : failed_writes);
      continue;
    }
    last = std::max(last, op.complete_ns);
    (read ? reads : writes).push_back(static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6);
  }
  run_summary s;
  const std::size_t ok_count = reads.size() + writes.size();
  if (ok_count > 0 && last > first) {
    s.span_s = static_cast<double>(last - first) / 1e9;
    s.throughput_per_s = static_cast<double>(ok_count) / s.span_s;
  }
  s.reads = summarise_latencies(std::move(reads), failed_reads);
  s.writes = summarise_latencies(std::move(writes), failed_writes);
  BOOST_OUTCOME_TRY(auto staleness, check::measure_staleness(h, {.delays_ns = {0}}));
  s.stale_fraction = staleness.summary.stale_fraction;
  s.unjudged_reads = static_cast<std::size_t>(std::count_if(
      staleness.violations.begin(), staleness.violations.end(),
      [](const auto& v) { return v.kind == check::staleness_violation_kind::unknown_value; }));
  return s;
}

}  // namespace coact::bench
