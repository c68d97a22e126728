// The four session guarantees, each broken on its own, and the histories that keep them.
#include "coact/check/session_guarantees.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "history_builder.hpp"

using namespace coact::check;
using namespace coact::check::testing;

namespace {

session_report check(const history_builder& rec, session_guarantee_set which = {}) {
  auto report = check_session_guarantees(rec.events(), which);
  REQUIRE(report);
  return report.value();
}

std::vector<std::uint64_t> invocations(const session_violation& v) {
  std::vector<std::uint64_t> out;
  for (const operation& op : v.ops) out.push_back(op.invoke_index);
  return out;
}

}  // namespace

// Proves sessions whose reads move forward and see their own writes pass every guarantee.
SCENARIO("sessions that keep every guarantee", "[check]") {
  GIVEN("two processes writing and reading one key with versions") {
    history_builder rec;
    rec.write(0, "x", v(1), 1)
        .read(1, "x", v(1), 1)
        .write(1, "x", v(2), 2)
        .read(1, "x", v(2), 2)
        .read(0, "x", v(2), 2)
        .write(0, "x", v(3), 3);
    WHEN("all four guarantees are checked") {
      const session_report report = check(rec);
      THEN("none is broken and everything was counted") {
        CHECK(report.valid());
        CHECK(report.session_count == 2);
        CHECK(report.read_count == 3);
        CHECK(report.write_count == 3);
      }
    }
  }
}

// Proves a read older than the session's own acknowledged write breaks read-your-writes.
TEST_CASE("read-your-writes fails on a read older than the session's write", "[check]") {
  history_builder rec;
  rec.write(1, "x", v(1)).write(0, "x", v(2)).read(0, "x", v(1));
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const session_violation& bad = report.violations[0];
  CHECK(bad.kind == session_violation_kind::read_your_writes);
  CHECK(bad.session == "process 0");
  CHECK(bad.process == 0);
  CHECK(bad.key == "x");
  CHECK(invocations(bad) == std::vector<std::uint64_t>{2, 4, 0});
  CHECK(bad.reason.find("read-your-writes") == 0);
}

// Proves nil after the session's own acknowledged write breaks read-your-writes.
TEST_CASE("read-your-writes fails on nil after the session's write", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).read(0, "x", nil);
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == session_violation_kind::read_your_writes);
  CHECK(invocations(report.violations[0]) == std::vector<std::uint64_t>{0, 2});
}

// Proves a session spanning processes is one session: its `session` name, not its process.
TEST_CASE("a session named on its events spans processes", "[check]") {
  history_builder rec;
  rec.write(9, "x", v(1)).write(0, "x", v(2), {}, "s").read(1, "x", v(1), {}, "s");
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == session_violation_kind::read_your_writes);
  CHECK(report.violations[0].session == "s");
  CHECK(report.violations[0].process == 1);
  CHECK(report.session_count == 2);
}

// Proves a later read returning an older write than an earlier read breaks monotonic reads.
SCENARIO("monotonic reads", "[check]") {
  GIVEN("a session that reads x=2 and then x=1, written in that order by another") {
    history_builder rec;
    rec.write(1, "x", v(1)).write(1, "x", v(2)).read(0, "x", v(2)).read(0, "x", v(1));
    WHEN("all guarantees are checked") {
      const session_report report = check(rec);
      THEN("exactly monotonic reads fails, at the second read") {
        REQUIRE(report.violations.size() == 1);
        const session_violation& bad = report.violations[0];
        CHECK(bad.kind == session_violation_kind::monotonic_reads);
        CHECK(bad.session == "process 0");
        CHECK(invocations(bad) == std::vector<std::uint64_t>{4, 2, 6, 0});
      }
    }
    WHEN("monotonic reads is not asked for") {
      session_guarantee_set which;
      which.monotonic_reads = false;
      THEN("the history passes") { CHECK(check(rec, which).valid()); }
    }
  }
}

// Proves a session's later write ordered before its earlier one breaks monotonic writes.
TEST_CASE("monotonic writes fails when versions invert session order", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1), 2).write(0, "x", v(2), 1);
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const session_violation& bad = report.violations[0];
  CHECK(bad.kind == session_violation_kind::monotonic_writes);
  CHECK(bad.session == "process 0");
  CHECK(invocations(bad) == std::vector<std::uint64_t>{0, 2});
  CHECK(bad.ops[1].argument == v(2));
}

// Proves a write ordered before a write the session had read breaks writes-follow-reads.
TEST_CASE("writes-follow-reads fails when a write lands before what was read", "[check]") {
  history_builder rec;
  rec.write(1, "x", v(1), 2).read(0, "x", v(1), 2).write(0, "x", v(2), 1);
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const session_violation& bad = report.violations[0];
  CHECK(bad.kind == session_violation_kind::writes_follow_reads);
  CHECK(bad.session == "process 0");
  CHECK(invocations(bad) == std::vector<std::uint64_t>{2, 0, 4});
}

// Proves that without versions, writes overlapping in real time are unordered: no blame.
TEST_CASE("concurrent writes may be read in either order", "[check]") {
  history_builder rec;
  rec.invoke(1, op_kind::write, "x", v(1))
      .invoke(2, op_kind::write, "x", v(2))
      .complete(1, event_type::ok, op_kind::write, "x", v(1))
      .complete(2, event_type::ok, op_kind::write, "x", v(2))
      .read(0, "x", v(2))
      .read(0, "x", v(1));
  CHECK(check(rec).valid());
}

// Proves a read of a value no write wrote is reported, not judged, and a failed write's
// value counts as never written.
TEST_CASE("a read of a value never written is its own violation", "[check]") {
  history_builder rec;
  rec.invoke(1, op_kind::write, "x", v(5))
      .complete(1, event_type::fail, op_kind::write, "x", v(5))
      .read(0, "x", v(5));
  const session_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == session_violation_kind::unknown_value);
  CHECK(invocations(report.violations[0]) == std::vector<std::uint64_t>{2});
}

// Proves a read may return an info write: it may have happened.
TEST_CASE("an info write may be read", "[check]") {
  history_builder rec;
  rec.invoke(1, op_kind::write, "x", v(5))
      .complete(1, event_type::info, op_kind::write, "x", v(5))
      .read(0, "x", v(5))
      .read(0, "x", v(5));
  CHECK(check(rec).valid());
}

// Proves a history that does not pair up is refused with parse_error.
TEST_CASE("session guarantees refuse an unpaired history", "[check]") {
  history_builder rec;
  rec.complete(0, event_type::ok, op_kind::read, "x");
  auto report = check_session_guarantees(rec.events());
  REQUIRE_FALSE(report);
  CHECK(report.error() == coact::errc::parse_error);
}

// Regression: without times, writes were all at time 0, so unordered, and a session that
// read a value older than its own acknowledged write kept read-your-writes.
TEST_CASE("session guarantees order writes by the history's order, not its times", "[check]") {
  history_builder rec;
  rec.write(1, "x", v(1)).write(0, "x", v(2)).read(0, "x", v(1));
  auto report = check_session_guarantees(untimed(rec.events()));
  REQUIRE(report);
  REQUIRE(report.value().violations.size() == 1);
  CHECK(report.value().violations[0].kind == session_violation_kind::read_your_writes);
}
