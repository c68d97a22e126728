#include "coact/check/staleness.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coact/check/write_order.hpp"
#include "detail/violation.hpp"

namespace coact::check {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

// Counts and earliest acknowledgements of the writes inserted so far, over a prefix of
// ranks (rank 0 = greatest lo): "how many, and since when, newer than x".
class newer_writes {
 public:
  explicit newer_writes(std::size_t n) : count_(n + 1, 0), earliest_ns_(n + 1, never_ns) {}

  void insert(std::size_t rank, std::int64_t acknowledged_ns) {
    for (std::size_t i = rank + 1; i < count_.size(); i += i & (~i + 1)) {
      ++count_[i];
      earliest_ns_[i] = std::min(earliest_ns_[i], acknowledged_ns);
    }
  }

  // Over ranks [0, end).
  [[nodiscard]] std::pair<std::uint64_t, std::int64_t> query(std::size_t end) const {
    std::uint64_t n = 0;
    std::int64_t earliest = never_ns;
    for (std::size_t i = end; i > 0; i -= i & (~i + 1)) {
      n += count_[i];
      earliest = std::min(earliest, earliest_ns_[i]);
    }
    return {n, earliest};
  }

 private:
  std::vector<std::uint64_t> count_;
  std::vector<std::int64_t> earliest_ns_;
};

struct key_ops {
  std::vector<std::size_t> writes;  // non-failed, in invocation order
  std::vector<std::size_t> reads;   // ok, in invocation order
};

struct sample {
  std::int64_t age_ns = 0;
  bool fresh = false;
};

// The time from `from_ns` to `to_ns`, two events in that order in the history. Their times
// may disagree with the order (events recorded by several threads, or without times):
// then no time elapsed.
std::int64_t elapsed_ns(std::int64_t from_ns, std::int64_t to_ns) {
  return std::max<std::int64_t>(0, to_ns - from_ns);
}

template <class T>
T nearest_rank(const std::vector<T>& sorted, double percent) {
  if (sorted.empty()) return T{};
  const auto rank =
      static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

class staleness_meter {
 public:
  staleness_meter(const write_order& w, const staleness_options& options, staleness_report& report)
      : w_(w), options_(options), report_(report) {}

  void measure_key(const key_ops& k) {
    std::vector<std::size_t> acked;
    for (std::size_t i : k.writes) {
      if (w_.ops[i].outcome == event_type::ok) acked.push_back(i);
    }
    report_.write_count += acked.size();
    std::vector<std::int64_t> lo_ascending;
    for (std::size_t i : acked) lo_ascending.push_back(w_.lo[i]);
    std::sort(lo_ascending.begin(), lo_ascending.end());
    std::sort(acked.begin(), acked.end(), [&](std::size_t a, std::size_t b) {
      return w_.ops[a].complete_index < w_.ops[b].complete_index;
    });
    const auto newer_than = [&](std::int64_t x) {
      return static_cast<std::size_t>(
          lo_ascending.end() - std::upper_bound(lo_ascending.begin(), lo_ascending.end(), x));
    };

    newer_writes tree(acked.size());
    std::size_t next = 0;
    std::size_t latest = none;
    for (std::size_t r : k.reads) {
      const operation& read = w_.ops[r];
      for (; next < acked.size() && completed_before(w_.ops[acked[next]], read); ++next) {
        const std::size_t a = acked[next];
        // Rank by descending lo: ties share the lowest rank of their value.
        tree.insert(newer_than(w_.lo[a]), w_.ops[a].complete_ns);
        if (latest == none || w_.lo[a] > w_.lo[latest]) latest = a;
      }
      const std::size_t got = w_.read_from[r];
      if (got == write_order::unknown) {
        add(staleness_violation_kind::unknown_value, r, none,
            "read of a value never written: " + to_string(read.output));
        continue;
      }
      assert(got == write_order::initial || w_.ordered[got]);
      const std::int64_t seen = got == write_order::initial ? write_order::before_all : w_.hi[got];
      const auto [lag, since_ns] = tree.query(newer_than(seen));
      read_staleness s;
      s.read = read;
      if (latest != none) s.latest = w_.ops[latest];
      s.version_lag = lag;
      s.time_lag_ns = lag > 0 ? elapsed_ns(since_ns, read.invoke_ns) : 0;
      judge(r, latest, s);
      report_.reads.push_back(std::move(s));
    }
    sample_visibility(k);
  }

  void finish() {
    std::sort(report_.reads.begin(), report_.reads.end(), [](const auto& a, const auto& b) {
      return a.read.invoke_index < b.read.invoke_index;
    });
    std::stable_sort(
        report_.violations.begin(), report_.violations.end(),
        [](const auto& a, const auto& b) { return a.read.invoke_index < b.read.invoke_index; });
    summarise();
    chart();
  }

 private:
  void judge(std::size_t r, std::size_t latest, const read_staleness& s) {
    if (options_.version_lag_max && s.version_lag > *options_.version_lag_max) {
      add(staleness_violation_kind::version_lag_exceeded, r, latest,
          "read lagged " + std::to_string(s.version_lag) + " versions, more than " +
              std::to_string(*options_.version_lag_max));
    }
    if (options_.time_lag_ns_max && s.time_lag_ns > *options_.time_lag_ns_max) {
      add(staleness_violation_kind::time_lag_exceeded, r, latest,
          "read lagged " + std::to_string(s.time_lag_ns) + " ns, more than " +
              std::to_string(*options_.time_lag_ns_max));
    }
  }

  // A write's visibility window runs from its acknowledgement to the invocation of the
  // next write of its key, in the history's order; windows of one key never overlap. How
  // long after the acknowledgement a read came is measured in time.
  void sample_visibility(const key_ops& k) {
    std::vector<std::pair<std::uint64_t, std::size_t>> windows;  // (acknowledgement, write)
    std::vector<std::uint64_t> ends;
    for (std::size_t j = 0; j < k.writes.size(); ++j) {
      const operation& op = w_.ops[k.writes[j]];
      if (op.outcome != event_type::ok) continue;
      const std::uint64_t end =
          j + 1 < k.writes.size() ? w_.ops[k.writes[j + 1]].invoke_index : never_index;
      if (op.complete_index >= end) continue;
      windows.emplace_back(op.complete_index, k.writes[j]);
      ends.push_back(end);
    }
    for (std::size_t r : k.reads) {
      const std::size_t got = w_.read_from[r];
      if (got == write_order::unknown) continue;
      const operation& read = w_.ops[r];
      auto it =
          std::upper_bound(windows.begin(), windows.end(), std::make_pair(read.invoke_index, none));
      if (it == windows.begin()) continue;
      --it;
      if (read.invoke_index >= ends[static_cast<std::size_t>(it - windows.begin())]) continue;
      samples_.push_back(
          {elapsed_ns(w_.ops[it->second].complete_ns, read.invoke_ns), !w_.older(got, it->second)});
    }
  }

  void summarise() {
    std::vector<std::uint64_t> versions;
    std::vector<std::int64_t> times;
    std::size_t stale = 0;
    for (const read_staleness& s : report_.reads) {
      versions.push_back(s.version_lag);
      times.push_back(s.time_lag_ns);
      stale += s.stale();
    }
    report_.read_count = report_.reads.size();
    std::sort(versions.begin(), versions.end());
    std::sort(times.begin(), times.end());
    staleness_summary& sum = report_.summary;
    if (!versions.empty()) {
      sum.stale_fraction = static_cast<double>(stale) / static_cast<double>(versions.size());
      sum.version_lag_max = versions.back();
      sum.time_lag_ns_max = times.back();
    }
    sum.version_lag_p50 = nearest_rank(versions, 50);
    sum.version_lag_p99 = nearest_rank(versions, 99);
    sum.time_lag_ns_p50 = nearest_rank(times, 50);
    sum.time_lag_ns_p99 = nearest_rank(times, 99);
  }

  void chart() {
    std::sort(samples_.begin(), samples_.end(),
              [](const sample& a, const sample& b) { return a.age_ns < b.age_ns; });
    // fresh_from[i]: fresh samples among samples_[i..].
    std::vector<std::size_t> fresh_from(samples_.size() + 1, 0);
    for (std::size_t i = samples_.size(); i > 0; --i) {
      fresh_from[i - 1] = fresh_from[i] + samples_[i - 1].fresh;
    }
    const std::vector<std::int64_t> delays =
        options_.delays_ns.empty() ? default_visibility_delays_ns() : options_.delays_ns;
    for (std::int64_t t : delays) {
      const auto first = static_cast<std::size_t>(
          std::lower_bound(samples_.begin(), samples_.end(), t,
                           [](const sample& s, std::int64_t d) { return s.age_ns < d; }) -
          samples_.begin());
      visibility_point p;
      p.delay_ns = t;
      p.read_count = samples_.size() - first;
      p.fresh_count = fresh_from[first];
      if (p.read_count > 0) {
        p.probability = static_cast<double>(p.fresh_count) / static_cast<double>(p.read_count);
      }
      report_.visibility.push_back(p);
    }
  }

  void add(staleness_violation_kind kind, std::size_t r, std::size_t latest, std::string reason) {
    auto v = detail::violation_at_read<staleness_violation>(kind, w_.ops[r], std::move(reason));
    if (latest != none) v.latest = w_.ops[latest];
    report_.violations.push_back(std::move(v));
  }

  const write_order& w_;
  const staleness_options& options_;
  staleness_report& report_;
  std::vector<sample> samples_;
};

}  // namespace

std::vector<std::int64_t> default_visibility_delays_ns() {
  std::vector<std::int64_t> delays{0};
  for (std::int64_t decade = 1'000; decade <= 10'000'000'000; decade *= 10) {
    for (std::int64_t step : {1, 2, 5}) {
      if (decade * step <= 10'000'000'000) delays.push_back(decade * step);
    }
  }
  return delays;
}

const char* to_string(staleness_violation_kind k) noexcept {
  switch (k) {
    case staleness_violation_kind::unknown_value:
      return "read of a value never written";
    case staleness_violation_kind::version_lag_exceeded:
      return "version lag exceeded";
    case staleness_violation_kind::time_lag_exceeded:
      return "time lag exceeded";
  }
  return "?";
}

result<staleness_report> measure_staleness(const history& h, const staleness_options& options) {
  const bool negative = std::any_of(options.delays_ns.begin(), options.delays_ns.end(),
                                    [](std::int64_t d) { return d < 0; });
  if (negative || (options.time_lag_ns_max && *options.time_lag_ns_max < 0)) {
    return errc::invalid_argument;
  }
  auto ordered = order_writes(h);
  if (!ordered) return ordered.error();
  const write_order& w = ordered.value();

  std::vector<std::string> keys;
  std::unordered_map<std::string, key_ops> by_key;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    const operation& op = w.ops[i];
    const bool read = op.f == op_kind::read && op.outcome == event_type::ok;
    if (!read && !w.is_write(i)) continue;
    auto [it, fresh] = by_key.try_emplace(op.key);
    if (fresh) keys.push_back(op.key);
    (read ? it->second.reads : it->second.writes).push_back(i);
  }
  staleness_report report;
  staleness_meter meter(w, options, report);
  for (const std::string& key : keys) meter.measure_key(by_key.at(key));
  meter.finish();
  return report;
}

}  // namespace coact::check
