// Pairing a history's invocations with their completions, and refusing histories that
// cannot have been recorded.
#include "coact/check/history.hpp"

#include <catch2/catch.hpp>

using namespace coact::check;

namespace {

event make(std::int64_t process, event_type type, op_kind f, datum value = {}) {
  event e;
  e.process = process;
  e.type = type;
  e.f = f;
  e.value = std::move(value);
  return e;
}

history numbered(history h) {
  for (std::size_t i = 0; i < h.size(); ++i) {
    h[i].index = i;
    h[i].time_ns = static_cast<std::int64_t>(i) * 10;
  }
  return h;
}

}  // namespace

// Proves interleaved operations of two processes pair up by process, in invocation order.
TEST_CASE("pair_operations pairs each invocation with its process's completion", "[check]") {
  const history h = numbered({
      make(0, event_type::invoke, op_kind::write, std::int64_t{1}),
      make(1, event_type::invoke, op_kind::read),
      make(1, event_type::ok, op_kind::read, std::int64_t{1}),
      make(0, event_type::ok, op_kind::write, std::int64_t{1}),
  });
  auto ops = pair_operations(h);
  REQUIRE(ops);
  REQUIRE(ops.value().size() == 2);
  const operation& w = ops.value()[0];
  CHECK(w.process == 0);
  CHECK(w.outcome == event_type::ok);
  CHECK(w.argument == datum{std::int64_t{1}});
  CHECK(w.invoke_ns == 0);
  CHECK(w.complete_ns == 30);
  const operation& r = ops.value()[1];
  CHECK(r.output == datum{std::int64_t{1}});
  CHECK(r.complete_index == 2);
}

// Proves an info completion and a missing completion both leave the operation open forever.
TEST_CASE("info and unfinished operations never complete", "[check]") {
  const history h = numbered({
      make(0, event_type::invoke, op_kind::write, std::int64_t{1}),
      make(0, event_type::info, op_kind::write, std::int64_t{1}),
      make(1, event_type::invoke, op_kind::write, std::int64_t{2}),
  });
  auto ops = pair_operations(h);
  REQUIRE(ops);
  REQUIRE(ops.value().size() == 2);
  for (const operation& op : ops.value()) {
    CHECK(op.outcome == event_type::info);
    CHECK(op.complete_ns == never_ns);
  }
}

// Proves histories no client could have produced are refused with parse_error.
TEST_CASE("pair_operations refuses impossible histories", "[check]") {
  const auto refused = [](const history& h) {
    auto ops = pair_operations(numbered(h));
    return !ops && ops.error() == coact::errc::parse_error;
  };
  CHECK(refused({make(0, event_type::ok, op_kind::read)}));
  CHECK(refused(
      {make(0, event_type::invoke, op_kind::read), make(0, event_type::invoke, op_kind::read)}));
  CHECK(refused(
      {make(0, event_type::invoke, op_kind::read), make(0, event_type::ok, op_kind::write)}));
}

// Proves a refusal names the offending event's position and its process, for each rule.
TEST_CASE("pair_operations names the event and the process it refuses", "[check]") {
  const auto refusal = [](history h) {
    pairing_failure failure;
    auto ops = pair_operations(h, &failure);
    REQUIRE_FALSE(ops);
    CHECK(ops.error() == coact::errc::parse_error);
    return failure;
  };
  const history invoked = numbered({make(3, event_type::invoke, op_kind::write, std::int64_t{1})});

  history twice = invoked;
  twice.push_back(make(3, event_type::invoke, op_kind::read));
  pairing_failure f = refusal(numbered(twice));
  CHECK(f.position == 1);
  CHECK(f.reason == "process 3 invokes read while its write is still open");

  f = refusal(numbered({make(7, event_type::invoke, op_kind::read),
                        make(3, event_type::ok, op_kind::read, std::int64_t{1})}));
  CHECK(f.position == 1);
  CHECK(f.reason == "process 3 completes a read it never invoked");

  history other = invoked;
  other.push_back(make(3, event_type::ok, op_kind::read));
  f = refusal(numbered(other));
  CHECK(f.reason == "process 3 completes a read but invoked a write");

  // Regression: a completion recorded before its invocation was ordered before it, and the
  // linearizability report blamed an empty set of operations.
  history backwards = numbered(invoked);
  backwards[0].time_ns = 50;
  backwards.push_back(make(3, event_type::ok, op_kind::write, std::int64_t{1}));
  backwards[1].index = 1;
  backwards[1].time_ns = 40;
  f = refusal(backwards);
  CHECK(f.position == 1);
  CHECK(f.reason == "process 3 completes its write at time 40, before its invocation at time 50");
}

// Proves indices must strictly increase along the history, since they order it.
TEST_CASE("pair_operations refuses indices out of order", "[check]") {
  history h = numbered(
      {make(0, event_type::invoke, op_kind::read), make(1, event_type::invoke, op_kind::read)});
  h[1].index = 0;
  pairing_failure failure;
  REQUIRE_FALSE(pair_operations(h, &failure));
  CHECK(failure.position == 1);
  CHECK_THAT(failure.reason, Catch::Contains("index 0 does not come after"));

  h[1].index = std::uint64_t{1} << 63;
  REQUIRE_FALSE(pair_operations(h, &failure));
  CHECK_THAT(failure.reason, Catch::Contains("beyond 2^63 - 1"));

  h[1].index = 9;  // gaps are fine: a filtered history keeps its indices
  CHECK(pair_operations(h));
}

// Proves "completed before" is the history's order: the completion event comes before the
// invocation event, whatever their times say; an info operation never completed.
TEST_CASE("completed_before follows positions, not times", "[check]") {
  history h = numbered({
      make(0, event_type::invoke, op_kind::write, std::int64_t{1}),
      make(0, event_type::ok, op_kind::write, std::int64_t{1}),
      make(1, event_type::invoke, op_kind::read),
      make(2, event_type::invoke, op_kind::write, std::int64_t{2}),
      make(2, event_type::info, op_kind::write, std::int64_t{2}),
      make(1, event_type::ok, op_kind::read, std::int64_t{1}),
  });
  for (event& e : h) e.time_ns = 0;
  auto ops = pair_operations(h);
  REQUIRE(ops);
  const operation& write = ops.value()[0];
  const operation& read = ops.value()[1];
  const operation& info = ops.value()[2];
  CHECK(completed_before(write, read));
  CHECK_FALSE(completed_before(read, write));
  CHECK_FALSE(completed_before(info, read));
  CHECK(info.complete_index == never_index);
}

TEST_CASE("datums print as Jepsen prints them", "[check]") {
  CHECK(to_string(datum{}) == "nil");
  CHECK(to_string(datum{std::int64_t{-3}}) == "-3");
  CHECK(to_string(datum{std::string{"x"}}) == "\"x\"");
}
