// Causal consistency: no read observes a write without the writes it depends on.
#include "coact/check/causal.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "history_builder.hpp"

using namespace coact::check;
using namespace coact::check::testing;

namespace {

causal_report check(const history_builder& rec) {
  auto report = check_causal(rec.events());
  REQUIRE(report);
  return report.value();
}

}  // namespace

// Proves a reader that sees a reply after its comment, and concurrent writes seen in any
// order, pass.
SCENARIO("causally consistent histories", "[check]") {
  GIVEN("a comment x and a reply y written after it, read in that order") {
    history_builder rec;
    rec.write(0, "x", v(1)).write(0, "y", v(1)).read(1, "y", v(1)).read(1, "x", v(1));
    THEN("the history is causal") {
      const causal_report report = check(rec);
      CHECK(report.valid());
      CHECK(report.session_count == 2);
      CHECK(report.read_count == 2);
      CHECK(report.write_count == 2);
    }
  }
  GIVEN("two unrelated writes by two processes") {
    history_builder rec;
    rec.write(0, "x", v(1)).write(1, "y", v(1)).read(2, "y", v(1)).read(2, "x", nil);
    THEN("seeing one without the other is allowed") { CHECK(check(rec).valid()); }
  }
}

// Proves seeing a write without an earlier write of its session is a missing dependency.
SCENARIO("a reply seen before its comment", "[check]") {
  GIVEN("process 0 writes x then y; process 1 reads y, then x as nil") {
    history_builder rec;
    rec.write(0, "x", v(1)).write(0, "y", v(1)).read(1, "y", v(1)).read(1, "x", nil);
    WHEN("checked") {
      const causal_report report = check(rec);
      THEN("the read of x misses its dependency, learned through y") {
        REQUIRE(report.violations.size() == 1);
        const causal_violation& bad = report.violations[0];
        CHECK(bad.kind == causal_violation_kind::missing_dependency);
        CHECK(bad.session == "process 1");
        CHECK(bad.process == 1);
        CHECK(bad.key == "x");
        CHECK(bad.read.invoke_index == 6);
        CHECK_FALSE(bad.returned);
        REQUIRE(bad.dependency);
        CHECK(bad.dependency->invoke_index == 0);
        REQUIRE(bad.through);
        CHECK(bad.through->invoke_index == 2);
        REQUIRE(bad.learned_by);
        CHECK(bad.learned_by->invoke_index == 4);
      }
    }
  }
}

// Proves dependencies are transitive: through a write whose session had read the dependency.
TEST_CASE("causal dependencies are transitive through reads", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1))
      .read(1, "x", v(1))
      .write(1, "y", v(1))
      .read(2, "y", v(1))
      .read(2, "x", nil);
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const causal_violation& bad = report.violations[0];
  CHECK(bad.session == "process 2");
  CHECK(bad.read.invoke_index == 8);
  CHECK(bad.dependency->invoke_index == 0);
  CHECK(bad.through->invoke_index == 4);
  CHECK(bad.learned_by->invoke_index == 6);
}

// Proves versions decide "older": a non-nil read older than a dependency is a violation.
TEST_CASE("a read older than a dependency by version", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1), 1)
      .write(0, "x", v(2), 2)
      .write(0, "y", v(1), 1)
      .read(1, "y", v(1), 1)
      .read(1, "x", v(1), 1);
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const causal_violation& bad = report.violations[0];
  REQUIRE(bad.returned);
  CHECK(bad.returned->invoke_index == 0);
  CHECK(bad.dependency->invoke_index == 2);
  CHECK(bad.through->invoke_index == 4);
}

// Proves the session's own past counts: its own write, and a write it read itself.
TEST_CASE("a session's own writes and reads are in its causal past", "[check]") {
  SECTION("its own write") {
    history_builder rec;
    rec.write(1, "x", v(1)).write(0, "x", v(2)).read(0, "x", v(1));
    const causal_report report = check(rec);
    REQUIRE(report.violations.size() == 1);
    const causal_violation& bad = report.violations[0];
    CHECK(bad.session == "process 0");
    CHECK(bad.dependency->invoke_index == 2);
    CHECK_FALSE(bad.through);
    CHECK(bad.learned_by->invoke_index == 2);
  }
  SECTION("a write it read") {
    history_builder rec;
    rec.write(1, "x", v(1)).write(1, "x", v(2)).read(0, "x", v(2)).read(0, "x", v(1));
    const causal_report report = check(rec);
    REQUIRE(report.violations.size() == 1);
    const causal_violation& bad = report.violations[0];
    CHECK(bad.dependency->invoke_index == 2);
    CHECK_FALSE(bad.through);
    CHECK(bad.learned_by->invoke_index == 4);
    CHECK(bad.read.invoke_index == 6);
  }
}

// Proves a read of a value never written is reported, not judged.
TEST_CASE("causal: a read of a value never written", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).read(1, "x", v(7));
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == causal_violation_kind::unknown_value);
  CHECK(report.violations[0].read.invoke_index == 2);
}

// Regression: without times, x=1 and x=2 were unordered, and a reader that saw y (written
// after x=2) and then x=1 was judged causal.
TEST_CASE("causal order of writes is the history's order, not its times", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).write(0, "x", v(2)).write(0, "y", v(1));
  rec.read(1, "y", v(1)).read(1, "x", v(1));
  auto report = check_causal(untimed(rec.events()));
  REQUIRE(report);
  REQUIRE(report.value().violations.size() == 1);
  const causal_violation& bad = report.value().violations[0];
  CHECK(bad.kind == causal_violation_kind::missing_dependency);
  REQUIRE(bad.dependency);
  CHECK(bad.dependency->argument == v(2));
}
