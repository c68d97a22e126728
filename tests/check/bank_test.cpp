// The bank checker: audits that sum to the total pass; an audit off by money created or
// lost, a negative balance and a non-integer balance are each caught and explained.
#include "coact/check/bank.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace coact::check;

namespace {

micro_op r(std::string key, std::int64_t v) {
  return {.f = micro_op::kind::read, .key = datum{std::move(key)}, .value = v};
}
micro_op w(std::string key, std::int64_t v) {
  return {.f = micro_op::kind::write, .key = datum{std::move(key)}, .value = v};
}

/// One transaction of `process`, invoked and completed with `type`.
void add(history& h, std::int64_t process, std::vector<micro_op> ops,
         event_type type = event_type::ok) {
  const auto n = static_cast<std::uint64_t>(h.size());
  h.push_back(
      {.index = n, .process = process, .type = event_type::invoke, .f = op_kind::txn, .txn = ops});
  h.push_back({.index = n + 1, .process = process, .type = type, .f = op_kind::txn, .txn = ops});
}

}  // namespace

TEST_CASE("audits that sum to the total pass", "[bank]") {
  history h;
  add(h, 1, {w("a0", 10), w("a1", 10)});
  add(h, 2, {r("a0", 10), w("a0", 7), r("a1", 10), w("a1", 13)});
  add(h, 1, {r("a0", 7), r("a1", 13)});
  add(h, 3, {r("a0", 99), r("a1", 0)}, event_type::fail);  // not applied: not judged
  const auto report = check_bank(h, 2, 20);
  REQUIRE(report);
  CHECK(report.value().valid());
  CHECK(report.value().audits == 1);
}

TEST_CASE("money created, a negative balance and a non-balance are caught", "[bank]") {
  history h;
  add(h, 1, {r("a0", 7), r("a1", 14)});
  add(h, 2, {r("a0", 7), w("a0", -1)});
  add(h, 3, {micro_op{.f = micro_op::kind::read, .key = datum{"a1"}, .value = datum{"x"}}});
  const auto report = check_bank(h, 2, 20);
  REQUIRE(report);
  REQUIRE(report.value().violations.size() == 3);
  CHECK(report.value().violations[0].reason == "an audit sums to 21, not 20");
  CHECK(report.value().violations[1].reason ==
        "account \"a0\" holds -1, not a balance of 0 or more");
  CHECK(report.value().violations[2].reason ==
        "account \"a1\" holds \"x\", not a balance of 0 or more");
}
