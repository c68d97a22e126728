// Causal consistency: no read observes a write without the writes it depends on.
#include "coact/check/causal.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace coact::check;

namespace {

// Records a history event by event; each event is 10 ns after the previous one unless
// `at` sets the time of the next.
class recorder {
 public:
  recorder& at(std::int64_t time_ns) {
    now_ns_ = time_ns;
    return *this;
  }

  recorder& invoke(std::int64_t process, op_kind f, std::string key, datum value = {},
                   std::string session = {}) {
    event e = next(process, event_type::invoke, f, std::move(key), std::move(value));
    e.session = std::move(session);
    h_.push_back(std::move(e));
    return *this;
  }

  recorder& complete(std::int64_t process, event_type type, op_kind f, std::string key,
                     datum value = {}, std::optional<std::uint64_t> version = {}) {
    event e = next(process, type, f, std::move(key), std::move(value));
    e.version = version;
    h_.push_back(std::move(e));
    return *this;
  }

  // A write invoked and acknowledged at once.
  recorder& write(std::int64_t process, const std::string& key, datum value,
                  std::optional<std::uint64_t> version = {}, const std::string& session = {}) {
    invoke(process, op_kind::write, key, value, session);
    return complete(process, event_type::ok, op_kind::write, key, value, version);
  }

  // A read invoked and completed ok at once, returning `value`.
  recorder& read(std::int64_t process, const std::string& key, datum value,
                 std::optional<std::uint64_t> version = {}, const std::string& session = {}) {
    invoke(process, op_kind::read, key, {}, session);
    return complete(process, event_type::ok, op_kind::read, key, std::move(value), version);
  }

  [[nodiscard]] const history& events() const noexcept { return h_; }

 private:
  event next(std::int64_t process, event_type type, op_kind f, std::string key, datum value) {
    event e;
    e.index = h_.size();
    e.time_ns = now_ns_;
    now_ns_ += 10;
    e.process = process;
    e.type = type;
    e.f = f;
    e.key = std::move(key);
    e.value = std::move(value);
    return e;
  }

  history h_;
  std::int64_t now_ns_ = 0;
};

constexpr datum nil{};
datum v(std::int64_t i) { return datum{i}; }

}  // namespace

namespace {

causal_report check(const recorder& rec) {
  auto report = check_causal(rec.events());
  REQUIRE(report);
  return report.value();
}

}  // namespace

// Proves a reader that sees a reply after its comment, and concurrent writes seen in any
// order, pass.
SCENARIO("causally consistent histories", "[check]") {
  GIVEN("a comment x and a reply y written after it, read in that order") {
    recorder rec;
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
    recorder rec;
    rec.write(0, "x", v(1)).write(1, "y", v(1)).read(2, "y", v(1)).read(2, "x", nil);
    THEN("seeing one without the other is allowed") { CHECK(check(rec).valid()); }
  }
}

// Proves seeing a write without an earlier write of its session is a missing dependency.
SCENARIO("a reply seen before its comment", "[check]") {
  GIVEN("process 0 writes x then y; process 1 reads y, then x as nil") {
    recorder rec;
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
  recorder rec;
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
  recorder rec;
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
    recorder rec;
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
    recorder rec;
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
  recorder rec;
  rec.write(0, "x", v(1)).read(1, "x", v(7));
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].kind == causal_violation_kind::unknown_value);
  CHECK(report.violations[0].read.invoke_index == 2);
}
