// Staleness: how far each read lagged behind acknowledged writes, and t-visibility.
#include "coact/check/staleness.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "history_builder.hpp"

using namespace coact::check;
using namespace coact::check::testing;

namespace {

// Process 0 writes x=1, 2, 3; process 1 reads 1 (one behind), 1 (two behind), 3 (fresh)
// and nil (three behind). Times in ns:
//   w1 [0, 10]  w2 [20, 30]  r=1 [40, 50]  w3 [60, 70]  r=1 [100, 110]  r=3 [120, 125]
//   r=nil [130, 135]
history_builder lagging_reader() {
  history_builder rec;
  rec.write(0, "x", v(1)).write(0, "x", v(2)).read(1, "x", v(1)).write(0, "x", v(3));
  rec.at(100).read(1, "x", v(1));
  rec.at(120)
      .invoke(1, op_kind::read, "x")
      .at(125)
      .complete(1, event_type::ok, op_kind::read, "x", v(3));
  rec.at(130)
      .invoke(1, op_kind::read, "x")
      .at(135)
      .complete(1, event_type::ok, op_kind::read, "x", nil);
  return rec;
}

staleness_report measure(const history_builder& rec, const staleness_options& options = {}) {
  auto report = measure_staleness(rec.events(), options);
  REQUIRE(report);
  return report.value();
}

}  // namespace

// Proves the exact version and time lag of each read, and their summary.
SCENARIO("the lag of each read", "[check]") {
  GIVEN("a reader falling behind a writer") {
    const history_builder rec = lagging_reader();
    WHEN("staleness is measured") {
      const staleness_report report = measure(rec);
      THEN("each read lags by the writes acknowledged before it and newer than its value") {
        CHECK(report.valid());
        CHECK(report.read_count == 4);
        CHECK(report.write_count == 3);
        REQUIRE(report.reads.size() == 4);
        const std::vector<std::uint64_t> versions{1, 2, 0, 3};
        const std::vector<std::int64_t> times{40 - 30, 100 - 30, 0, 130 - 10};
        const std::vector<std::uint64_t> latest{2, 6, 6, 6};
        for (std::size_t i = 0; i < 4; ++i) {
          CAPTURE(i);
          CHECK(report.reads[i].version_lag == versions[i]);
          CHECK(report.reads[i].time_lag_ns == times[i]);
          REQUIRE(report.reads[i].latest);
          CHECK(report.reads[i].latest->invoke_index == latest[i]);
        }
        CHECK(report.reads[2].stale() == false);
      }
      THEN("the summary uses nearest-rank percentiles") {
        const staleness_summary& s = report.summary;
        CHECK(s.stale_fraction == Approx(0.75));
        CHECK(s.version_lag_max == 3);
        CHECK(s.version_lag_p50 == 1);
        CHECK(s.version_lag_p99 == 3);
        CHECK(s.time_lag_ns_max == 120);
        CHECK(s.time_lag_ns_p50 == 10);
        CHECK(s.time_lag_ns_p99 == 120);
      }
    }
  }
}

// Proves the t-visibility curve counts reads in each write's window, by age since its ack.
TEST_CASE("the t-visibility curve", "[check]") {
  // Windows: w1 [10, 20) has no read; w2 [30, 60): the read at 40 (age 10, stale);
  // w3 [70, ...): reads at 100 (age 30, stale), 120 (age 50, fresh), 130 (age 60, stale).
  staleness_options options;
  options.delays_ns = {0, 20, 40, 55, 100};
  const staleness_report report = measure(lagging_reader(), options);
  REQUIRE(report.visibility.size() == 5);
  const std::vector<std::size_t> reads{4, 3, 2, 1, 0};
  const std::vector<std::size_t> fresh{1, 1, 1, 0, 0};
  const std::vector<double> probability{0.25, 1.0 / 3, 0.5, 0, 0};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(report.visibility[i].delay_ns == options.delays_ns[i]);
    CHECK(report.visibility[i].read_count == reads[i]);
    CHECK(report.visibility[i].fresh_count == fresh[i]);
    CHECK(report.visibility[i].probability == Approx(probability[i]));
  }
}

// Proves the default grid runs 0, 1 µs, 2 µs, 5 µs ... 10 s.
TEST_CASE("the default t-visibility grid", "[check]") {
  const std::vector<std::int64_t> grid = default_visibility_delays_ns();
  REQUIRE(grid.size() == 23);
  CHECK(grid[0] == 0);
  CHECK(grid[1] == 1'000);
  CHECK(grid[2] == 2'000);
  CHECK(grid[3] == 5'000);
  CHECK(grid.back() == 10'000'000'000);
  CHECK(measure(lagging_reader()).visibility.size() == grid.size());
}

// Proves versions, not real time, order writes when every write has one.
TEST_CASE("versions decide which write is newer", "[check]") {
  // x=2 is acknowledged last but carries the older version: reading x=1 is fresh.
  history_builder rec;
  rec.write(0, "x", v(1), 5).write(0, "x", v(2), 3).read(1, "x", v(1), 5).read(1, "x", v(2), 3);
  const staleness_report report = measure(rec);
  REQUIRE(report.reads.size() == 2);
  CHECK(report.reads[0].version_lag == 0);
  CHECK(report.reads[0].latest->invoke_index == 0);
  CHECK(report.reads[1].version_lag == 1);
  CHECK(report.reads[1].time_lag_ns == 60 - 10);
}

// Proves bounds turn lags into violations naming the read and the write it missed.
TEST_CASE("staleness bounds", "[check]") {
  staleness_options options;
  options.version_lag_max = 1;
  options.time_lag_ns_max = 100;
  const staleness_report report = measure(lagging_reader(), options);
  REQUIRE(report.violations.size() == 3);
  CHECK(report.violations[0].kind == staleness_violation_kind::version_lag_exceeded);
  CHECK(report.violations[0].read.invoke_index == 8);
  CHECK(report.violations[0].session == "process 1");
  CHECK(report.violations[0].latest->invoke_index == 6);
  CHECK(report.violations[1].kind == staleness_violation_kind::version_lag_exceeded);
  CHECK(report.violations[1].read.invoke_index == 12);
  CHECK(report.violations[2].kind == staleness_violation_kind::time_lag_exceeded);
  CHECK(report.violations[2].read.invoke_index == 12);
}

// Proves an unjudgeable read is reported, and bad options are refused.
TEST_CASE("staleness: values never written and bad options", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).read(1, "x", v(4));
  const staleness_report report = measure(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == staleness_violation_kind::unknown_value);
  CHECK(report.read_count == 0);
  staleness_options bad;
  bad.delays_ns = {-1};
  auto refused = measure_staleness(rec.events(), bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == coact::errc::invalid_argument);
}

// Regression: without times, no write was acknowledged "before" a read (0 < 0 is false),
// so a read of an overwritten value lagged by nothing. Order comes from the history; the
// time lag, measured in time, is 0 here.
TEST_CASE("staleness orders by the history, measures lag in time", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).write(0, "x", v(2)).read(1, "x", v(1));
  auto report = measure_staleness(untimed(rec.events()));
  REQUIRE(report);
  REQUIRE(report.value().reads.size() == 1);
  CHECK(report.value().reads[0].version_lag == 1);
  CHECK(report.value().reads[0].time_lag_ns == 0);
  REQUIRE(report.value().reads[0].latest);
  CHECK(report.value().reads[0].latest->argument == v(2));
}
