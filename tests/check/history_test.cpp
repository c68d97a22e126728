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

TEST_CASE("datums print as Jepsen prints them", "[check]") {
  CHECK(to_string(datum{}) == "nil");
  CHECK(to_string(datum{std::int64_t{-3}}) == "-3");
  CHECK(to_string(datum{std::string{"x"}}) == "\"x\"");
}
