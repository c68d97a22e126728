// The run meter, which measures a run as it is recorded instead of keeping its history:
// on every policy's histories (with and without lost messages, in one and two
// datacenters) it counts the stale and unjudged reads that check::measure_staleness
// counts on the whole history, and its latencies are the exact ones within the
// histogram's error; an operation still open counts as failed; a history that does not
// pair up is refused with the reason.
#include "run_meter.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "coact/check/staleness.hpp"
#include "policy_catalog.hpp"
#include "recorded_run.hpp"
#include "sim_seeds.hpp"

using namespace coact::bench;
using coact::check::event;
using coact::check::event_type;
using coact::check::op_kind;

namespace {

/// 6 clients x 60 operations, 70% gets, over 8 zipfian keys, no think time.
client_load mixed_load() {
  client_load load{.client_count = 6};
  load.work.requests.read = 0.7;
  load.work.requests.update = 0.3;
  load.work.record_count = 8;
  load.work.operations = 60;
  return load;
}

/// The exact nearest-rank quantiles of the ok operations of kind `read`, in ms.
std::vector<double> exact_ms(const std::vector<coact::check::operation>& ops, bool read) {
  std::vector<double> out;
  for (const auto& op : ops) {
    if ((op.f == op_kind::read) != read || op.outcome != event_type::ok) continue;
    out.push_back(static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6);
  }
  return out;
}

void check_latencies(const latency_stats& measured, std::vector<double> exact) {
  CHECK(measured.ok_count == exact.size());
  // A hair above the bound: the ms here are converted from the ns the histogram holds.
  const double error = latency_histogram::relative_error_max * 1.001;
  CHECK(measured.p50_ms == Approx(quantile(exact, 0.5)).epsilon(error));
  CHECK(measured.p99_ms == Approx(quantile(exact, 0.99)).epsilon(error));
  CHECK(measured.p999_ms == Approx(quantile(exact, 0.999)).epsilon(error));
}

}  // namespace

// Proves the meter agrees with the checkers on every variant: the same stale reads (so
// the same stale fraction) and unjudged reads as measure_staleness, the same counts of ok
// and failed operations as pair_operations, and latencies within the histogram's error.
TEST_CASE("the meter measures what the checkers measure, on every policy", "[bench][sim]") {
  const auto catalog = policy_catalog();
  const auto w = mixed_load();
  const auto model = parse_delay_model("lnkd-ssd").value();
  const double loss = GENERATE(0.0, 0.03);
  const std::uint32_t datacenters = GENERATE(1u, 2u);
  const auto topology = bench_topology::make(3, datacenters).value();
  std::size_t stale_runs = 0;
  for (const std::uint64_t seed : coact::test::seeds(2)) {
    for (const policy_variant& v : catalog) {
      INFO(v.slug << ", " << datacenters << " DCs, loss " << loss << ", "
                  << coact::test::rerun_hint(seed, "build/dev/bench/patterns/patterns_tests"));
      const auto h =
          test::recorded_sim_run(
              v, topology, w,
              {.delays = model, .wan_delay_ms = 20, .loss_probability = loss, .seed = seed})
              .value();
      const auto measured = summarise(h).value();
      const auto judged = coact::check::measure_staleness(h, {.delays_ns = {0}}).value();
      CHECK(measured.stale_fraction == Approx(judged.summary.stale_fraction).margin(1e-12));
      stale_runs += measured.stale_fraction > 0 ? 1 : 0;
      const auto unknown = std::count_if(
          judged.violations.begin(), judged.violations.end(), [](const auto& violation) {
            return violation.kind == coact::check::staleness_violation_kind::unknown_value;
          });
      CHECK(measured.unjudged_reads == static_cast<std::size_t>(unknown));

      const auto ops = coact::check::pair_operations(h).value();
      const auto failed = [&](bool read) {
        return static_cast<std::size_t>(std::count_if(ops.begin(), ops.end(), [&](const auto& op) {
          return (op.f == op_kind::read) == read && op.outcome != event_type::ok;
        }));
      };
      CHECK(measured.reads.failed_count == failed(true));
      CHECK(measured.writes.failed_count == failed(false));
      check_latencies(measured.reads, exact_ms(ops, true));
      check_latencies(measured.writes, exact_ms(ops, false));
    }
  }
  // The weak levels do read stale values here (two datacenters 20 ms apart), so the
  // comparison is not between zeros only.
  if (datacenters == 2) CHECK(stale_runs > 0);
}

namespace {

/// Appends an operation of `process` from invocation to completion (`outcome`), with the
/// version the completion reports (none when 0).
void add(coact::check::history& h, std::int64_t process, op_kind f, coact::check::datum value,
         event_type outcome = event_type::ok, std::uint64_t version = 0) {
  event invoke{
      .index = h.size(), .process = process, .type = event_type::invoke, .f = f, .key = "x"};
  if (f == op_kind::write) invoke.value = value;
  h.push_back(invoke);
  event done{.index = h.size(), .process = process, .type = outcome, .f = f, .key = "x"};
  if (outcome == event_type::ok || f == op_kind::write) done.value = std::move(value);
  if (version != 0) done.version = version;
  h.push_back(done);
}

}  // namespace

// Proves the meter judges small histories as measure_staleness does, case by case: writes
// ordered by version (even against their real-time order) when every write has one, by
// real time when one lacks it, an info write read later, a failed write read (unjudged),
// and reads of the initial state.
TEST_CASE("the meter judges staleness as measure_staleness does", "[bench]") {
  using coact::check::history;
  const std::string a = "a";
  const std::string b = "b";
  std::vector<std::pair<const char*, history>> cases;
  {
    // b is written after a in real time but carries an older version: a read of b, after
    // both, is stale by versions.
    history h;
    add(h, 0, op_kind::write, a, event_type::ok, 2);
    add(h, 0, op_kind::write, b, event_type::ok, 1);
    add(h, 1, op_kind::read, b, event_type::ok, 1);
    add(h, 1, op_kind::read, a, event_type::ok, 2);
    cases.emplace_back("versions against real time", h);
  }
  {
    // Without versions, real time orders them: the read of a is stale, of b fresh.
    history h;
    add(h, 0, op_kind::write, a);
    add(h, 0, op_kind::write, b);
    add(h, 1, op_kind::read, b);
    add(h, 1, op_kind::read, a);
    cases.emplace_back("real time", h);
  }
  {
    // An info write of b may have happened: a read sees it (with a version), a later read
    // sees a (fresh: b was never acknowledged), a last one the initial state (stale).
    history h;
    add(h, 0, op_kind::write, a, event_type::ok, 1);
    add(h, 2, op_kind::write, b, event_type::info);
    add(h, 1, op_kind::read, b, event_type::ok, 2);
    add(h, 1, op_kind::read, a, event_type::ok, 1);
    add(h, 1, op_kind::read, coact::check::datum{}, event_type::ok);
    cases.emplace_back("info write", h);
  }
  {
    // b failed, so a read of it is unjudged; a read of nil before any write is fresh.
    history h;
    add(h, 1, op_kind::read, coact::check::datum{}, event_type::ok);
    add(h, 0, op_kind::write, b, event_type::fail);
    add(h, 1, op_kind::read, b, event_type::ok, 7);
    cases.emplace_back("failed write", h);
  }
  for (const auto& [name, h] : cases) {
    INFO(name);
    const auto measured = summarise(h).value();
    const auto judged = coact::check::measure_staleness(h).value();
    CHECK(measured.stale_fraction == Approx(judged.summary.stale_fraction));
    CHECK(measured.unjudged_reads == judged.violations.size());
  }
  CHECK(summarise(cases[0].second).value().stale_fraction == Approx(0.5));
  CHECK(summarise(cases[1].second).value().stale_fraction == Approx(0.5));
  CHECK(summarise(cases[2].second).value().stale_fraction == Approx(1.0 / 3));
  CHECK(summarise(cases[3].second).value().unjudged_reads == 1);
}

// Proves a summary taken mid-run counts the operation still open as failed, and the
// events so far as they are.
TEST_CASE("an open operation counts as failed", "[bench]") {
  run_meter meter;
  meter.add({.index = 0,
             .time_ns = 0,
             .process = 0,
             .type = event_type::invoke,
             .f = op_kind::write,
             .key = "x",
             .value = std::string{"a"}});
  meter.add({.index = 1,
             .time_ns = 2'000'000,
             .process = 0,
             .type = event_type::ok,
             .f = op_kind::write,
             .key = "x",
             .value = std::string{"a"}});
  meter.add({.index = 2,
             .time_ns = 3'000'000,
             .process = 1,
             .type = event_type::invoke,
             .f = op_kind::read,
             .key = "x"});
  CHECK(meter.completed_count() == 1);
  const auto s = meter.summary().value();
  CHECK(s.writes.ok_count == 1);
  CHECK(s.writes.p50_ms == Approx(2));
  CHECK(s.reads.ok_count == 0);
  CHECK(s.reads.failed_count == 1);
}

// Proves events that do not pair up are refused, with the reason naming the process.
TEST_CASE("a history that does not pair up is refused", "[bench]") {
  run_meter meter;
  meter.add({.index = 0, .process = 4, .type = event_type::ok, .f = op_kind::read, .key = "x"});
  REQUIRE(!meter.summary());
  CHECK(meter.summary().error() == coact::errc::parse_error);
  CHECK(meter.failure().find("process 4") != std::string::npos);
}
