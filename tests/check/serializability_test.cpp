// The serializability checker on hand-built list-append and register histories: one of
// each anomaly class Adya defines (G0, G1a, G1b, G1c, G-single, G2) is found and printed
// with its cycle, serializable histories pass, and what cannot be judged is said.
#include "coact/check/serializability.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace coact::check;

namespace {

micro_op append(std::string key, std::int64_t x) {
  return {.f = micro_op::kind::append, .key = datum{std::move(key)}, .value = x};
}

micro_op read(std::string key, std::vector<std::int64_t> list) {
  micro_op op{.f = micro_op::kind::read, .key = datum{std::move(key)}};
  op.list.emplace();
  for (const std::int64_t x : list) op.list->push_back(x);
  return op;
}

micro_op write(std::string key, std::int64_t v) {
  return {.f = micro_op::kind::write, .key = datum{std::move(key)}, .value = v};
}

micro_op read_register(std::string key, std::int64_t v) {
  return {.f = micro_op::kind::read, .key = datum{std::move(key)}, .value = v};
}

transaction txn(std::int64_t process, std::vector<micro_op> ops,
                event_type outcome = event_type::ok) {
  return {.process = process, .outcome = outcome, .ops = std::move(ops)};
}

/// The kinds of the report's anomalies, in order.
std::vector<anomaly_kind> kinds(const serializability_report& r) {
  std::vector<anomaly_kind> out;
  for (const anomaly& a : r.anomalies) out.push_back(a.kind);
  return out;
}

/// The one anomaly `txns` shows, which must be of kind `k`.
anomaly only(const std::vector<transaction>& txns, anomaly_kind k) {
  const auto r = check_serializability(txns);
  INFO(explain(r, txns));
  REQUIRE(kinds(r) == std::vector{k});
  return r.anomalies.front();
}

}  // namespace

TEST_CASE("serializable: transactions that read what came before them", "[check][txn]") {
  const std::vector<transaction> txns{
      txn(0, {append("x", 1), append("y", 1)}),
      txn(1, {read("x", {1}), append("x", 2)}),
      txn(2, {read("x", {1, 2}), read("y", {1})}),
  };
  const auto r = check_serializability(txns);
  INFO(explain(r, txns));
  CHECK(r.valid());
  CHECK(r.committed == 3);
  // ww and wr 0 -> 1 on x, wr 1 -> 2 on x, wr 0 -> 2 on y.
  CHECK(r.edges == 4);
  CHECK(explain(r, txns).starts_with("serializable: 3 committed transactions"));
}

TEST_CASE("G0: two transactions install their versions in opposite orders", "[check][txn]") {
  const auto a = only(
      {
          txn(0, {append("x", 1), append("y", 1)}),
          txn(1, {append("x", 2), append("y", 2)}),
          txn(2, {read("x", {1, 2}), read("y", {2, 1})}),
      },
      anomaly_kind::g0);
  REQUIRE(a.cycle.size() == 2);
  for (const dependency_edge& e : a.cycle) CHECK(e.type == dependency::ww);
}

TEST_CASE("G1a: a read of what only an aborted transaction wrote", "[check][txn]") {
  (void)only(
      {
          txn(0, {append("x", 1)}, event_type::fail),
          txn(1, {read("x", {1})}),
      },
      anomaly_kind::g1a);
}

TEST_CASE("G1b: a read of a version its writer overwrote before committing", "[check][txn]") {
  const std::vector<transaction> txns{
      txn(0, {append("x", 1), append("x", 2)}),
      txn(1, {read("x", {1})}),
      txn(2, {read("x", {1, 2})}),
  };
  const auto r = check_serializability(txns);
  INFO(explain(r, txns));
  // The reader also missed the writer's own next version: T0 -wr-> T1 -rw-> T0.
  CHECK(kinds(r) == std::vector{anomaly_kind::g1b, anomaly_kind::g_single});
}

TEST_CASE("G1c: each of two transactions reads what the other wrote", "[check][txn]") {
  SECTION("lists") {
    const auto a = only(
        {
            txn(0, {append("x", 1), read("y", {2})}),
            txn(1, {append("y", 2), read("x", {1})}),
        },
        anomaly_kind::g1c);
    for (const dependency_edge& e : a.cycle) CHECK(e.type == dependency::wr);
  }
  SECTION("registers") {
    (void)only(
        {
            txn(0, {write("x", 1), read_register("y", 2)}),
            txn(1, {write("y", 2), read_register("x", 1)}),
        },
        anomaly_kind::g1c);
  }
}

TEST_CASE("G-single: a read sees one of a transaction's writes but not the other", "[check][txn]") {
  const std::vector<transaction> txns{
      txn(0, {read("x", {}), read("y", {2})}),
      txn(1, {append("x", 1), append("y", 2)}),
      txn(2, {read("x", {1})}),
  };
  const auto a = only(txns, anomaly_kind::g_single);
  REQUIRE(a.cycle.size() == 2);
  CHECK(a.cycle[0].type == dependency::rw);
  CHECK(a.cycle[0].key == datum{std::string{"x"}});
  CHECK(a.cycle[1].type == dependency::wr);
  CHECK(explain(check_serializability(txns), txns) ==
        "not serializable: 3 committed transactions, 3 dependencies\n"
        "G-single: T0 (process 0) -rw \"x\"-> T1 (process 1) -wr \"y\"-> T0\n");
}

TEST_CASE("G2: write skew, each transaction missing the other's write", "[check][txn]") {
  const auto a = only(
      {
          txn(0, {read("x", {}), append("y", 1)}),
          txn(1, {read("y", {}), append("x", 2)}),
          txn(2, {read("x", {2}), read("y", {1})}),
      },
      anomaly_kind::g2);
  REQUIRE(a.cycle.size() == 2);
  for (const dependency_edge& e : a.cycle) CHECK(e.type == dependency::rw);
}

TEST_CASE("transactions of unknown outcome count when some read saw them", "[check][txn]") {
  SECTION("seen: in the graph, and its cycle is found") {
    // T1 saw T0's append to x but not its append to y.
    (void)only(
        {
            txn(0, {append("x", 1), append("y", 1)}, event_type::info),
            txn(1, {read("x", {1}), read("y", {})}),
            txn(2, {read("y", {1})}),
        },
        anomaly_kind::g_single);
  }
  SECTION("unseen: left out, and a read of nothing is no anomaly") {
    const std::vector<transaction> txns{
        txn(0, {append("x", 1)}, event_type::info),
        txn(1, {read("x", {})}),
    };
    const auto r = check_serializability(txns);
    CHECK(r.valid());
    CHECK(r.committed == 1);
  }
}

TEST_CASE("what cannot be judged is said, not guessed", "[check][txn]") {
  SECTION("reads that agree on no order") {
    (void)only(
        {
            txn(0, {append("x", 1)}),
            txn(1, {append("x", 2)}),
            txn(2, {read("x", {1, 2})}),
            txn(3, {read("x", {2, 1})}),
        },
        anomaly_kind::incompatible_order);
  }
  SECTION("a read of an element nobody appended") {
    const auto a = only({txn(0, {read("x", {7})})}, anomaly_kind::unjudgeable);
    CHECK(a.reason == "T0 read 7 of key \"x\", which no transaction wrote");
  }
  SECTION("an element appended twice") {
    (void)only(
        {
            txn(0, {append("x", 1)}),
            txn(1, {append("x", 1)}),
        },
        anomaly_kind::unjudgeable);
  }
}

TEST_CASE("a chain of 2,000 transactions, each reading all before it, is serializable",
          "[check][txn]") {
  // Each transaction reads the list so far and appends one more: a path of 2,000 ww and
  // wr edges, and the last one's read closes no cycle.
  std::vector<transaction> txns;
  std::vector<std::int64_t> list;
  for (std::int64_t i = 0; i < 2'000; ++i) {
    txns.push_back(txn(i, {read("x", list), append("x", i)}));
    list.push_back(i);
  }
  txns.push_back(txn(-1, {read("x", list)}));
  const auto r = check_serializability(txns);
  CHECK(r.valid());
  CHECK(r.committed == txns.size());
}
