// Causal consistency: no read observes a write without the writes it depends on.
#include "coact/check/causal.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/write_order.hpp"
#include "coact/runtime/prng.hpp"
#include "history_builder.hpp"

using namespace coact::check;
using namespace coact::check::testing;

namespace {

causal_report check(const history_builder& rec) {
  auto report = check_causal(rec.events());
  REQUIRE(report);
  return report.value();
}

constexpr std::size_t none = write_order::initial;

// A random small history: four processes over keys x and y, processes 0 and 1 in one
// session "s"; writes of unique values that succeed, fail or end unknown (info); reads that
// return nil, one of the last three values of their key, or a value never written. When
// `versioned`, acknowledged writes and their reads carry versions unrelated to real time.
history random_history(coact::prng& random, bool versioned) {
  struct in_flight {
    op_kind f = op_kind::read;
    std::string key;
    std::int64_t value = 0;
  };
  const auto version_of = [versioned](std::int64_t value) {
    return versioned ? std::optional<std::uint64_t>((value * 37) % 211 + 1) : std::nullopt;
  };
  history_builder rec;
  std::array<std::optional<in_flight>, 4> open;
  std::map<std::string, std::vector<std::int64_t>> written;
  std::int64_t last_value = 0;
  for (int step = 0; step < 40; ++step) {
    const auto p = static_cast<std::int64_t>(random.below(open.size()));
    std::optional<in_flight>& op = open[static_cast<std::size_t>(p)];
    if (!op) {
      op = in_flight{random.chance(0.5) ? op_kind::write : op_kind::read,
                     random.chance(0.5) ? "x" : "y", ++last_value};
      if (op->f == op_kind::write) written[op->key].push_back(op->value);
      rec.invoke(p, op->f, op->key, op->f == op_kind::write ? v(op->value) : nil, p < 2 ? "s" : "");
      continue;
    }
    if (op->f == op_kind::write) {
      const auto roll = random.below(10);
      const event_type type = roll < 8    ? event_type::ok
                              : roll == 8 ? event_type::fail
                                          : event_type::info;
      rec.complete(p, type, op_kind::write, op->key, v(op->value),
                   type == event_type::ok ? version_of(op->value) : std::nullopt);
    } else if (const std::vector<std::int64_t>& values = written[op->key];
               values.empty() || random.chance(0.1)) {
      rec.complete(p, event_type::ok, op_kind::read, op->key, nil);
    } else if (random.chance(0.05)) {
      rec.complete(p, event_type::ok, op_kind::read, op->key, v(1'000));
    } else {
      const std::int64_t value =
          values[values.size() - 1 - random.below(std::min<std::size_t>(3, values.size()))];
      rec.complete(p, event_type::ok, op_kind::read, op->key, v(value), version_of(value));
    }
    op.reset();
  }
  return rec.events();
}

// One violation as a line: its kind and the invocation indices of the operations it names.
std::string summary(causal_violation_kind kind, const operation& read,
                    std::optional<std::uint64_t> returned, std::optional<std::uint64_t> dependency,
                    std::optional<std::uint64_t> through, std::optional<std::uint64_t> learned_by) {
  const auto at = [](std::optional<std::uint64_t> i) { return i ? std::to_string(*i) : "-"; };
  return std::string(to_string(kind)) + " at read " + std::to_string(read.invoke_index) +
         ": returned " + at(returned) + ", dependency " + at(dependency) + " through " +
         at(through) + " learned by " + at(learned_by);
}

std::string summary(const causal_violation& v) {
  const auto at = [](const std::optional<operation>& op) {
    return op ? std::optional<std::uint64_t>(op->invoke_index) : std::nullopt;
  };
  return summary(v.kind, v.read, at(v.returned), at(v.dependency), at(v.through), at(v.learned_by));
}

// The violations check_causal should find, computed the slow, obvious way: each session's
// causal past is an explicit set of writes, each with the first learning that brought it
// (the write read that carried it, and the session's operation), copied at every invocation.
std::vector<std::string> explicit_past_violations(const history& h) {
  struct learned_from {
    std::size_t through = none;
    std::size_t by = none;
  };
  using explicit_past = std::map<std::size_t, learned_from>;
  const write_order w = order_writes(h).value();
  const auto at = [&w](std::size_t i) {
    return i < write_order::not_a_read ? std::optional<std::uint64_t>(w.ops[i].invoke_index)
                                       : std::nullopt;
  };
  std::vector<std::pair<std::uint64_t, std::size_t>> steps;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    steps.emplace_back(w.ops[i].invoke_index, i);
    if (w.ops[i].outcome != event_type::info) steps.emplace_back(w.ops[i].complete_index, i);
  }
  std::sort(steps.begin(), steps.end());
  std::map<std::string, explicit_past> pasts;
  std::map<std::size_t, explicit_past> at_invocation;
  std::vector<std::string> violations;
  for (const auto& [index, i] : steps) {
    const operation& op = w.ops[i];
    explicit_past& past = pasts[session_of(op)];
    if (index == op.invoke_index) {
      at_invocation[i] = past;
    } else if (op.f == op_kind::read && op.outcome == event_type::ok) {
      const std::size_t got = w.read_from[i];
      if (got == write_order::unknown) {
        violations.push_back(summary(causal_violation_kind::unknown_value, op, {}, {}, {}, {}));
        continue;
      }
      const std::pair<const std::size_t, learned_from>* newest = nullptr;
      for (const auto& known : at_invocation[i]) {
        const bool of_key = w.ops[known.first].key == op.key;
        if (of_key && (!newest || w.lo[known.first] > w.lo[newest->first])) newest = &known;
      }
      if (newest && w.older(got, newest->first)) {
        violations.push_back(summary(causal_violation_kind::missing_dependency, op, at(got),
                                     at(newest->first), at(newest->second.through),
                                     at(newest->second.by)));
      }
      if (got == write_order::initial || !w.ordered[got]) continue;
      if (auto depended = at_invocation.find(got); depended != at_invocation.end()) {
        for (const auto& known : depended->second)
          past.try_emplace(known.first, learned_from{got, i});
      }
      past.try_emplace(got, learned_from{none, i});
    } else if (w.is_write(i) && op.outcome == event_type::ok && w.ordered[i]) {
      past.try_emplace(i, learned_from{none, i});
    }
  }
  return violations;
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

// Proves a dependency is carried through any number of sessions: p2 never read x, yet the
// write z it made after reading y depends on x, so p3, which read z, must see x.
TEST_CASE("causal dependencies are carried through a chain of sessions", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1))
      .read(1, "x", v(1))
      .write(1, "y", v(1))
      .read(2, "y", v(1))
      .write(2, "z", v(1))
      .read(3, "z", v(1))
      .read(3, "x", nil);
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const causal_violation& bad = report.violations[0];
  CHECK(bad.session == "process 3");
  CHECK(bad.read.invoke_index == 12);
  REQUIRE(bad.dependency);
  CHECK(bad.dependency->invoke_index == 0);
  REQUIRE(bad.through);
  CHECK(bad.through->invoke_index == 8);
  REQUIRE(bad.learned_by);
  CHECK(bad.learned_by->invoke_index == 10);
}

// Proves the dependency on another key is the newest the session's past held, and is named
// through the write that first brought it, not a later one that carried it too.
TEST_CASE("a missed dependency on another key is the newest, through its first carrier",
          "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1))
      .write(0, "x", v(2))
      .write(0, "y", v(1))
      .write(0, "z", v(1))
      .read(1, "y", v(1))
      .read(1, "z", v(1))
      .read(1, "x", v(1));
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  const causal_violation& bad = report.violations[0];
  REQUIRE(bad.returned);
  CHECK(bad.returned->invoke_index == 0);
  CHECK(bad.dependency->invoke_index == 2);
  CHECK(bad.through->invoke_index == 4);
  CHECK(bad.learned_by->invoke_index == 8);
}

// Proves a read is judged against its session's past at its invocation: a dependency the
// session learned (through another process of the session) while the read was in flight
// does not count.
TEST_CASE("a dependency learned while a read is in flight is not required", "[check]") {
  history_builder rec;
  rec.write(0, "x", v(1)).write(0, "y", v(1));
  rec.invoke(1, op_kind::read, "x", {}, "s").read(2, "y", v(1), {}, "s");
  rec.complete(1, event_type::ok, op_kind::read, "x", nil);
  CHECK(check(rec).valid());
  rec.read(1, "x", nil, {}, "s");
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].session == "s");
  CHECK(report.violations[0].read.invoke_index == 8);
  CHECK(report.violations[0].learned_by->invoke_index == 5);
}

// Proves writes that overlap in real time are unordered: a session that depends on one may
// read the other, but not nil.
TEST_CASE("causal: overlapping writes are unordered", "[check]") {
  history_builder rec;
  rec.invoke(0, op_kind::write, "x", v(1)).invoke(1, op_kind::write, "x", v(2));
  rec.complete(0, event_type::ok, op_kind::write, "x", v(1));
  rec.complete(1, event_type::ok, op_kind::write, "x", v(2));
  rec.write(0, "y", v(1)).read(2, "y", v(1)).read(2, "x", v(2));
  CHECK(check(rec).valid());
  rec.read(3, "y", v(1)).read(3, "x", nil);
  const causal_report report = check(rec);
  REQUIRE(report.violations.size() == 1);
  CHECK(report.violations[0].dependency->invoke_index == 0);
  CHECK(report.violations[0].through->key == "y");
}

// Proves the checker's vector clocks give the verdicts, and name the writes, that explicit
// causal pasts give, on random histories (seeds 1 to 400) with overlapping, failed, unknown
// and versioned writes, unknown values and a session shared by two processes.
TEST_CASE("causal verdicts match explicit causal pasts on random histories", "[check]") {
  std::size_t valid_count = 0;
  std::size_t invalid_count = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    INFO("seed " << seed);
    coact::prng random(seed);
    const history h = random_history(random, seed % 2 == 0);
    auto report = check_causal(h);
    REQUIRE(report);
    std::vector<std::string> violations;
    for (const causal_violation& bad : report.value().violations) {
      violations.push_back(summary(bad));
    }
    CHECK(violations == explicit_past_violations(h));
    ++(report.value().valid() ? valid_count : invalid_count);
  }
  CHECK(valid_count > 20);
  CHECK(invalid_count > 20);
}
