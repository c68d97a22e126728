// Convergence after quiescence: replicas agree, and no acknowledged write is lost unless
// overwritten.
#include "coact/check/convergence.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "history_builder.hpp"

using namespace coact::check;
using namespace coact::check::testing;

namespace {

convergence_report check(const history_builder& rec, const replica_states& states) {
  auto report = check_convergence(rec.events(), states);
  REQUIRE(report);
  return report.value();
}

replica_state holding(datum value, std::optional<std::uint64_t> version = {}) {
  return {{"x", replica_value{std::move(value), version}}};
}

}  // namespace

// Proves replicas that agree on the last acknowledged write pass.
TEST_CASE("replicas that converged on the last write", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).write(1, "x", v(2));
  const convergence_report report = check(rec, {{"a", holding(v(2))}, {"b", holding(v(2))}});
  CHECK(report.valid());
  CHECK(report.replica_count == 2);
  CHECK(report.key_count == 1);
  CHECK(report.write_count == 2);
}

// Proves replicas holding different values are reported as a divergent key, with values.
TEST_CASE("replicas that diverged", "[check]") {
  // Concurrent writes: either may legally win, so only the divergence is wrong.
  history_builder rec;
  rec.invoke(0, op_kind::write, "x", v(1))
      .invoke(1, op_kind::write, "x", v(2))
      .complete(0, event_type::ok, op_kind::write, "x", v(1))
      .complete(1, event_type::ok, op_kind::write, "x", v(2));
  const convergence_report report = check(rec, {{"a", holding(v(1))}, {"b", holding(v(2))}});
  REQUIRE(report.violations.size() == 1);
  const convergence_violation& bad = report.violations[0];
  CHECK(bad.kind == convergence_violation_kind::divergent_key);
  CHECK(bad.key == "x");
  REQUIRE(bad.values.size() == 2);
  CHECK(bad.values[0].first == "a");
  CHECK(bad.values[0].second.value == v(1));
  CHECK(bad.values[1].first == "b");
  CHECK(bad.values[1].second.value == v(2));
}

// Proves an acknowledged write followed by nothing that could overwrite it must survive.
SCENARIO("lost writes", "[check]") {
  GIVEN("x=1 then x=2, both acknowledged, in real-time order") {
    history_builder rec;
    rec.write(0, "x", v(1)).write(1, "x", v(2));
    WHEN("every replica ends with x=1") {
      const convergence_report report = check(rec, {{"a", holding(v(1))}, {"b", holding(v(1))}});
      THEN("x=2 is lost, and x=1 is named as the final write") {
        REQUIRE(report.violations.size() == 1);
        const convergence_violation& bad = report.violations[0];
        CHECK(bad.kind == convergence_violation_kind::lost_write);
        CHECK(bad.replicas == std::vector<std::string>{"a", "b"});
        REQUIRE(bad.write);
        CHECK(bad.write->invoke_index == 2);
        REQUIRE(bad.final_write);
        CHECK(bad.final_write->invoke_index == 0);
      }
    }
    WHEN("every replica lost the key") {
      const convergence_report report = check(rec, {{"a", {}}, {"b", {}}});
      THEN("both writes are lost, with no final write") {
        REQUIRE(report.violations.size() == 2);
        for (const convergence_violation& bad : report.violations) {
          CHECK(bad.kind == convergence_violation_kind::lost_write);
          CHECK_FALSE(bad.final_write);
        }
        CHECK(report.violations[0].write->invoke_index == 0);
        CHECK(report.violations[1].write->invoke_index == 2);
      }
    }
  }
  GIVEN("x=1 at version 2, then x=2 at version 1") {
    history_builder rec;
    rec.write(0, "x", v(1), 2).write(1, "x", v(2), 1);
    THEN("versions, not real time, say which write overwrote which") {
      CHECK(check(rec, {{"a", holding(v(1), 2)}}).valid());
      const convergence_report report = check(rec, {{"a", holding(v(2), 1)}});
      REQUIRE(report.violations.size() == 1);
      CHECK(report.violations[0].kind == convergence_violation_kind::lost_write);
      CHECK(report.violations[0].write->invoke_index == 0);
    }
  }
}

// Proves a final value may come from an info write, but not from a failed or absent one.
TEST_CASE("final values must have been written", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1))
      .invoke(1, op_kind::write, "x", v(2))
      .complete(1, event_type::info, op_kind::write, "x", v(2))
      .invoke(2, op_kind::write, "x", v(3))
      .complete(2, event_type::fail, op_kind::write, "x", v(3));
  CHECK(check(rec, {{"a", holding(v(2))}}).valid());
  for (const datum& unwritten : {v(3), v(9)}) {
    const convergence_report report = check(rec, {{"a", holding(unwritten)}});
    REQUIRE(report.violations.size() == 1);
    const convergence_violation& bad = report.violations[0];
    CHECK(bad.kind == convergence_violation_kind::unwritten_final_value);
    CHECK(bad.replicas == std::vector<std::string>{"a"});
    CHECK((bad.reason.find("failed") != std::string::npos) == (unwritten == v(3)));
  }
}

// Proves the checker refuses to judge without any replica state.
TEST_CASE("convergence needs at least one replica", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1));
  auto report = check_convergence(rec.events(), {});
  REQUIRE_FALSE(report);
  CHECK(report.error() == coact::errc::invalid_argument);
}

// Regression: without times, two sequential writes were unordered, so replicas holding the
// first could have had it overwrite the second: the lost write went unreported.
TEST_CASE("convergence orders writes by the history's order, not its times", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).write(1, "x", v(2));
  auto report = check_convergence(untimed(rec.events()), {{"a", holding(v(1))}});
  REQUIRE(report);
  REQUIRE(report.value().violations.size() == 1);
  CHECK(report.value().violations[0].kind == convergence_violation_kind::lost_write);
  CHECK(report.value().violations[0].write->argument == v(2));
}
