// Run summaries: latency percentiles are nearest-rank over ok operations, failed ones
// are counted apart, throughput spans the first invocation to the last completion, and
// a read that missed an acknowledged write counts as stale.
#include "run_summary.hpp"

#include <catch2/catch.hpp>

#include <string>

using coact::bench::quantile;
using coact::bench::summarise;
using coact::check::datum;
using coact::check::event;
using coact::check::event_type;
using coact::check::history;
using coact::check::op_kind;

namespace {

/// Appends one operation of `process`: invoked at `start_ms`, completed at `end_ms`.
void add(history& h, std::int64_t process, op_kind f, std::string key, datum value, double start_ms,
         double end_ms, event_type outcome = event_type::ok) {
  const auto at = [](double ms) { return static_cast<std::int64_t>(ms * 1e6); };
  event invoke{.index = h.size(),
               .time_ns = at(start_ms),
               .process = process,
               .type = event_type::invoke,
               .f = f,
               .key = key};
  if (f == op_kind::write) invoke.value = value;
  h.push_back(invoke);
  h.push_back({.index = h.size(),
               .time_ns = at(end_ms),
               .process = process,
               .type = outcome,
               .f = f,
               .key = std::move(key),
               .value = std::move(value)});
}

}  // namespace

// Proves nearest-rank quantiles on a known sample.
TEST_CASE("quantiles are nearest-rank", "[bench]") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  CHECK(quantile(v, 0.5) == 50);
  CHECK(quantile(v, 0.99) == 99);
  CHECK(quantile(v, 0.999) == 100);
  CHECK(quantile(v, 0) == 1);
  std::vector<double> none;
  CHECK(quantile(none, 0.5) == 0);
}

// Proves the summary of a hand-made history: two writes, three reads of which one is
// stale (it returns the first write after the second was acknowledged) and one failed.
TEST_CASE("a history is summarised into latencies, throughput and staleness", "[bench]") {
  history h;
  add(h, 0, op_kind::write, "x", std::string{"a"}, 0, 2);
  add(h, 0, op_kind::write, "x", std::string{"b"}, 3, 7);
  add(h, 1, op_kind::read, "x", std::string{"b"}, 8, 9);
  add(h, 1, op_kind::read, "x", std::string{"a"}, 10, 13);
  add(h, 1, op_kind::read, "x", datum{}, 14, 20, event_type::fail);
  const auto s = summarise(h).value();
  CHECK(s.writes.ok_count == 2);
  CHECK(s.writes.p50_ms == Approx(2));
  CHECK(s.writes.p99_ms == Approx(4));
  CHECK(s.reads.ok_count == 2);
  CHECK(s.reads.failed_count == 1);
  CHECK(s.reads.p50_ms == Approx(1));
  CHECK(s.reads.max_ms == Approx(3));
  // Four ok operations from 0 to 13 ms.
  CHECK(s.throughput_per_s == Approx(4 / 0.013));
  CHECK(s.stale_fraction == Approx(0.5));
  CHECK(s.unjudged_reads == 0);
}

// Proves a read of a value nobody wrote is reported as unjudged, not silently fresh.
TEST_CASE("a read of an unwritten value is unjudged", "[bench]") {
  history h;
  add(h, 0, op_kind::write, "x", std::string{"a"}, 0, 1);
  add(h, 1, op_kind::read, "x", std::string{"zzz"}, 2, 3);
  CHECK(summarise(h).value().unjudged_reads == 1);
}
