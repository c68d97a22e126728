// transactions_of: a history's transactions, paired, with what each completion says (its
// outcome, index and version, info's too), and the histories it refuses, saying why.
#include "coact/check/transaction.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace coact::check;

namespace {

event txn_event(std::uint64_t index, std::int64_t process, event_type type,
                std::vector<micro_op> ops, std::optional<std::uint64_t> version = {}) {
  event e;
  e.index = index;
  e.process = process;
  e.type = type;
  e.f = op_kind::txn;
  e.txn = std::move(ops);
  e.version = version;
  return e;
}

micro_op read(std::int64_t key, std::optional<std::int64_t> value) {
  micro_op op{.f = micro_op::kind::read, .key = key};
  if (value) op.value = *value;
  return op;
}

micro_op write(std::int64_t key, std::int64_t value) {
  return {.f = micro_op::kind::write, .key = key, .value = value};
}

}  // namespace

TEST_CASE("transactions_of keeps each completion's outcome, index and version", "[check][txn]") {
  const history h{
      txn_event(0, 0, event_type::invoke, {read(1, {})}),
      txn_event(1, 1, event_type::invoke, {write(1, 5)}),
      txn_event(2, 2, event_type::invoke, {write(1, 6)}),
      txn_event(3, 3, event_type::invoke, {write(1, 7)}),
      txn_event(4, 0, event_type::ok, {read(1, 5)}, 40),
      txn_event(5, 1, event_type::info, {write(1, 5)}, 30),
      txn_event(6, 2, event_type::fail, {write(1, 6)}, 20),
  };
  std::string why;
  const auto txns = transactions_of(h, &why);
  INFO(why);
  REQUIRE(txns);
  REQUIRE(txns.value().size() == 4);
  const transaction& ok = txns.value()[0];
  CHECK(ok.outcome == event_type::ok);
  CHECK(ok.invoke_index == 0);
  CHECK(ok.complete_index == 4);
  CHECK(ok.version == std::uint64_t{40});
  CHECK(ok.ops[0].value == datum{std::int64_t{5}});  // the completion's: what it read
  const transaction& info = txns.value()[1];
  CHECK(info.outcome == event_type::info);
  CHECK(info.complete_index == never_index);
  CHECK(info.version == std::uint64_t{30});  // pair_operations drops it; a timestamp keeps it
  const transaction& failed = txns.value()[2];
  CHECK(failed.outcome == event_type::fail);
  CHECK(failed.complete_index == 6);
  CHECK_FALSE(failed.version);
  const transaction& open = txns.value()[3];
  CHECK(open.outcome == event_type::info);
  CHECK(open.complete_index == never_index);
  CHECK_FALSE(open.version);
}

TEST_CASE("transactions_of refuses, saying why, what is not a history of transactions",
          "[check][txn]") {
  std::string why;
  SECTION("an operation that is not a transaction") {
    history h{txn_event(0, 0, event_type::invoke, {})};
    event w;
    w.index = 1;
    w.process = 1;
    w.f = op_kind::write;
    h.push_back(w);
    CHECK(transactions_of(h, &why).error() == coact::errc::invalid_argument);
    CHECK(why == "the operation invoked at index 1 is a write, not a transaction (f txn)");
  }
  SECTION("no transactions") {
    CHECK(transactions_of({}, &why).error() == coact::errc::invalid_argument);
    CHECK(why == "no transactions");
  }
  SECTION("events that do not pair up") {
    const history h{txn_event(3, 0, event_type::ok, {})};
    CHECK(transactions_of(h, &why).error() == coact::errc::parse_error);
    CHECK(why == "the event at index 3: process 0 completes a txn it never invoked");
  }
}
