// The external-consistency checker on hand-built histories of timestamped transactions: each
// kind of violation is found and explained, consistent histories pass (read-only ones,
// appends, reads of a transaction's own writes, info transactions with and without a
// timestamp), and a serializable history whose timestamps contradict real time is caught.
#include "coact/check/external_consistency.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/serializability.hpp"

using namespace coact::check;

namespace {

micro_op r(std::string key, std::optional<std::int64_t> value) {
  micro_op op{.f = micro_op::kind::read, .key = datum{std::move(key)}};
  if (value) op.value = *value;
  return op;
}

micro_op r_list(std::string key, std::vector<std::int64_t> list) {
  micro_op op{.f = micro_op::kind::read, .key = datum{std::move(key)}};
  op.list.emplace();
  for (const std::int64_t x : list) op.list->push_back(x);
  return op;
}

micro_op w(std::string key, std::int64_t v) {
  return {.f = micro_op::kind::write, .key = datum{std::move(key)}, .value = v};
}

micro_op append(std::string key, std::int64_t x) {
  return {.f = micro_op::kind::append, .key = datum{std::move(key)}, .value = x};
}

constexpr std::optional<std::int64_t> nil;

/// A history of transactions, event by event, as a client would record it.
class txn_history {
 public:
  txn_history& invoke(std::int64_t process, std::vector<micro_op> ops) {
    return add(process, event_type::invoke, std::move(ops), {});
  }

  /// Completes the process's transaction; `ops` are what it did (reads with their values).
  txn_history& complete(std::int64_t process, event_type type, std::vector<micro_op> ops,
                        std::optional<std::uint64_t> ts) {
    return add(process, type, std::move(ops), ts);
  }

  /// A transaction invoked and completed ok at once, at timestamp `ts`.
  txn_history& ok(std::int64_t process, const std::vector<micro_op>& ops, std::uint64_t ts) {
    invoke(process, ops);
    return complete(process, event_type::ok, ops, ts);
  }

  [[nodiscard]] std::vector<transaction> txns() const {
    std::string why;
    auto t = transactions_of(h_, &why);
    INFO(why);
    REQUIRE(t);
    return std::move(t).value();
  }

 private:
  txn_history& add(std::int64_t process, event_type type, std::vector<micro_op> ops,
                   std::optional<std::uint64_t> ts) {
    event e;
    e.index = h_.size();
    e.process = process;
    e.type = type;
    e.f = op_kind::txn;
    e.txn = std::move(ops);
    e.version = ts;
    h_.push_back(std::move(e));
    return *this;
  }

  history h_;
};

external_report judge(const std::vector<transaction>& txns) {
  std::string why;
  auto r = check_external_consistency(txns, &why);
  INFO(why);
  REQUIRE(r);
  return std::move(r).value();
}

std::vector<external_violation_kind> kinds(const external_report& r) {
  std::vector<external_violation_kind> out;
  for (const external_violation& v : r.violations) out.push_back(v.kind);
  return out;
}

/// The one violation the history shows, which must be of kind `k`.
external_violation only(const txn_history& h, external_violation_kind k) {
  const auto r = judge(h.txns());
  INFO(explain(r));
  REQUIRE(kinds(r) == std::vector{k});
  return r.violations.front();
}

void require_valid(const txn_history& h) {
  const auto r = judge(h.txns());
  INFO(explain(r));
  REQUIRE(r.valid());
}

}  // namespace

TEST_CASE("external: reads see exactly the writes timestamped at or below their snapshot",
          "[check][external]") {
  txn_history h;
  // A read-only transaction concurrent with everything: any snapshot will do.
  h.invoke(4, {r("x", nil)});
  h.ok(0, {w("x", 1), append("l", 1)}, 10)
      .ok(1, {r("x", 1), w("x", 2), append("l", 2)}, 20)
      .ok(2, {r("x", 2), r_list("l", {1, 2}), r("y", nil)}, 25)  // read-only
      .ok(3, {r("x", 2), r_list("l", {1, 2})}, 25);              // the same snapshot again
  h.complete(4, event_type::ok, {r("x", 1)}, 15);
  const auto txns = h.txns();
  const auto r = judge(txns);
  INFO(explain(r));
  CHECK(r.valid());
  CHECK(r.committed == 5);
  CHECK(r.read_only == 3);
  CHECK(r.reads == 7);
  CHECK(r.unjudged_reads == 0);
  CHECK(explain(r) == "externally consistent: 5 committed transactions (3 read-only), 7 reads\n");
}

TEST_CASE("external: a transaction reads its own writes, in its own order", "[check][external]") {
  SECTION("registers and lists, after earlier writes of others") {
    txn_history h;
    h.ok(0, {w("x", 1), append("l", 1)}, 10)
        .ok(1, {r("x", 1), w("x", 2), r("x", 2), w("x", 3), r("x", 3)}, 20)
        .ok(2, {r_list("l", {1}), append("l", 2), append("l", 3), r_list("l", {1, 2, 3})}, 30)
        .ok(3, {r("x", 3), r_list("l", {1, 2, 3})}, 40);
    require_valid(h);
  }
  SECTION("a read after its own write that misses it is stale") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {w("x", 2), r("x", 1)}, 20);
    const auto v = only(h, external_violation_kind::stale_read);
    CHECK(v.reason ==
          "T1 (process 1), committing at ts 20, read 1 of key \"x\" after writing 2 itself");
  }
  SECTION("a list read after its own append that misses it is stale") {
    txn_history h;
    h.ok(0, {append("l", 1)}, 10).ok(1, {append("l", 2), r_list("l", {1})}, 20);
    (void)only(h, external_violation_kind::stale_read);
  }
  SECTION("a read of what it writes only later is from the future") {
    txn_history h;
    h.ok(0, {r("x", 5), w("x", 5)}, 10);
    const auto v = only(h, external_violation_kind::future_read);
    CHECK(v.reason ==
          "T0 (process 0), committing at ts 10, read 5 of key \"x\", which it writes only later");
  }
}

TEST_CASE("external: serializable, yet the timestamps contradict real time", "[check][external]") {
  SECTION("a read-only transaction after a commit takes an older snapshot") {
    // T0 commits x = 1 at 20 and completes; T1 starts after and reads at 10, so sees nil.
    // Serial order T1, T0 explains the reads: serializable. Not externally consistent.
    txn_history h;
    h.ok(0, {append("x", 1)}, 20).ok(1, {r_list("x", {})}, 10).ok(2, {r_list("x", {1})}, 30);
    const auto txns = h.txns();
    CHECK(check_serializability(txns).valid());
    const auto r = judge(txns);
    INFO(explain(r));
    REQUIRE(kinds(r) == std::vector{external_violation_kind::timestamp_order});
    const external_violation& v = r.violations.front();
    CHECK(v.positions == std::vector<std::size_t>{0, 1});
    REQUIRE(v.transactions.size() == 2);
    CHECK(v.transactions[1].version == std::uint64_t{10});
    CHECK(v.reason ==
          "T0 (process 0) committed at ts 20 and completed before T1 (process 1) was invoked, "
          "yet T1 read at ts 10, before it");
  }
  SECTION("a write after a write commits below it") {
    txn_history h;
    h.ok(0, {append("x", 1)}, 20).ok(1, {append("y", 1)}, 10);
    h.ok(2, {r_list("x", {1}), r_list("y", {1})}, 30);
    const auto txns = h.txns();
    CHECK(check_serializability(txns).valid());
    const auto v = only(h, external_violation_kind::timestamp_order);
    CHECK(v.reason ==
          "T0 (process 0) committed at ts 20 and completed before T1 (process 1) was invoked, "
          "yet T1 committed at ts 10, not after it");
  }
}

TEST_CASE("external: real-time order, strict when the later transaction writes",
          "[check][external]") {
  SECTION("read-write, then read-only at the same timestamp: fine") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {r("x", 1)}, 10);
    require_valid(h);
  }
  SECTION("read-only, then read-only at the same timestamp: fine") {
    txn_history h;
    h.ok(0, {r("x", nil)}, 10).ok(1, {r("x", nil)}, 10);
    require_valid(h);
  }
  SECTION("read-write, then read-write at the same timestamp") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {w("y", 1)}, 10);
    (void)only(h, external_violation_kind::timestamp_order);
  }
  SECTION("read-only, then read-write of another key at the read's timestamp: fine") {
    // A snapshot binds what follows by what it saw, not by its own timestamp: T0 saw no
    // commit, and T1 writes nothing T0 read.
    txn_history h;
    h.ok(0, {r("x", nil)}, 10).ok(1, {w("y", 1)}, 10);
    require_valid(h);
  }
  SECTION("read-only, then read-write of the key read, at the read's timestamp") {
    // T0's snapshot at 10 would, after the fact, include T1's write of x.
    txn_history h;
    h.ok(0, {r("x", nil)}, 10).ok(1, {w("x", 1)}, 10);
    (void)only(h, external_violation_kind::stale_read);
  }
  SECTION("read-only, then read-only at an older snapshot that misses nothing: fine") {
    txn_history h;
    h.ok(0, {r("x", nil)}, 10).ok(1, {r("x", nil)}, 9);
    require_valid(h);
  }
  SECTION("read-only, then read-only at a snapshot older than a commit the first saw") {
    txn_history h;
    h.invoke(2, {w("x", 1)});
    h.ok(0, {r("x", 1)}, 10).ok(1, {r("x", nil)}, 7);
    h.complete(2, event_type::ok, {w("x", 1)}, 8);
    const auto v = only(h, external_violation_kind::timestamp_order);
    CHECK(v.reason ==
          "T1 (process 0) saw a commit at ts 8 and completed before T2 (process 1) was invoked, "
          "yet T2 read at ts 7, before it");
  }
  SECTION("concurrent transactions may commit in any order") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {w("y", 1)});
    h.complete(0, event_type::ok, {w("x", 1)}, 20).complete(1, event_type::ok, {w("y", 1)}, 10);
    require_valid(h);
  }
  SECTION("the largest timestamp before counts, not the latest completion") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {w("y", 1)});
    h.complete(0, event_type::ok, {w("x", 1)}, 30).complete(1, event_type::ok, {w("y", 1)}, 20);
    h.ok(2, {w("z", 1)}, 25);
    const auto v = only(h, external_violation_kind::timestamp_order);
    CHECK(v.positions == std::vector<std::size_t>{0, 2});
  }
  SECTION("failed transactions order nothing") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).complete(0, event_type::fail, {w("x", 1)}, {});
    h.ok(1, {w("y", 1)}, 10);
    require_valid(h);
  }
}

TEST_CASE("external: two committed writes of one key at one timestamp", "[check][external]") {
  SECTION("the same key") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {w("x", 2)});
    h.complete(0, event_type::ok, {w("x", 1)}, 10).complete(1, event_type::ok, {w("x", 2)}, 10);
    const auto v = only(h, external_violation_kind::duplicate_timestamp);
    CHECK(v.reason == "T0 (process 0) and T1 (process 1) both wrote key \"x\" at ts 10");
    CHECK(v.key == datum{std::string{"x"}});
  }
  SECTION("different keys: fine") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {w("y", 2)});
    h.complete(0, event_type::ok, {w("x", 1)}, 10).complete(1, event_type::ok, {w("y", 2)}, 10);
    require_valid(h);
  }
  SECTION("a read-write transaction reads a key another writes at its timestamp") {
    // Whether it should see the write, no order of timestamps says: either read is refused.
    const auto read = GENERATE(std::optional<std::int64_t>{}, std::optional<std::int64_t>{1});
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {r("x", nil), w("y", 1)});
    h.complete(0, event_type::ok, {w("x", 1)}, 20);
    h.complete(1, event_type::ok, {r("x", read), w("y", 1)}, 20);
    const auto r = judge(h.txns());
    INFO(explain(r));
    REQUIRE(kinds(r) == std::vector{external_violation_kind::duplicate_timestamp});
    CHECK(r.violations.front().reason ==
          "T1 (process 1) read key \"x\" and T0 (process 0) wrote it, both at ts 20");
    CHECK(r.unjudged_reads == 1);
  }
  SECTION("a read-only transaction at a writer's timestamp sees it: fine") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {r("x", nil)});
    h.complete(0, event_type::ok, {w("x", 1)}, 20);
    h.complete(1, event_type::ok, {r("x", 1)}, 20);
    require_valid(h);
  }
  SECTION("a list's reads are then not judged: the appends' order is unknown") {
    txn_history h;
    h.invoke(0, {append("l", 1)}).invoke(1, {append("l", 2)});
    h.complete(0, event_type::ok, {append("l", 1)}, 10);
    h.complete(1, event_type::ok, {append("l", 2)}, 10);
    h.ok(2, {r_list("l", {2, 1})}, 20);
    const auto r = judge(h.txns());
    CHECK(kinds(r) == std::vector{external_violation_kind::duplicate_timestamp});
    CHECK(r.unjudged_reads == 1);
  }
}

TEST_CASE("external: stale reads miss a committed write below their snapshot",
          "[check][external]") {
  SECTION("a register read of an overwritten value") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {w("x", 2)}, 20).ok(2, {r("x", 1)}, 30);
    const auto v = only(h, external_violation_kind::stale_read);
    CHECK(v.positions == std::vector<std::size_t>{2, 0, 1});
    CHECK(v.reason ==
          "T2 (process 2), reading at ts 30, read 1 of key \"x\", written by T0 (process 0) at "
          "ts 10, but T1 (process 1) committed 2 at ts 20");
  }
  SECTION("a register read of nil") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {r("x", nil)}, 30);
    const auto v = only(h, external_violation_kind::stale_read);
    CHECK(v.reason ==
          "T1 (process 1), reading at ts 30, read nil of key \"x\", but T0 (process 0) "
          "committed 1 at ts 10");
  }
  SECTION("a list read missing an append in the middle") {
    txn_history h;
    h.ok(0, {append("l", 1)}, 10).ok(1, {append("l", 2)}, 20).ok(2, {append("l", 3)}, 30);
    h.ok(3, {r_list("l", {1, 3})}, 40);
    const auto v = only(h, external_violation_kind::stale_read);
    CHECK(v.reason ==
          "T3 (process 3), reading at ts 40, read key \"l\" as [1 3], missing 2, which T1 "
          "(process 1) appended at ts 20");
  }
  SECTION("a list read of part of one transaction's appends") {
    txn_history h;
    h.ok(0, {append("l", 1), append("l", 2)}, 10).ok(1, {r_list("l", {1})}, 20);
    (void)only(h, external_violation_kind::stale_read);
  }
  SECTION("a read-write transaction sees what committed before its timestamp") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {r("x", nil), w("y", 1)});
    h.complete(0, event_type::ok, {w("x", 1)}, 10);
    h.complete(1, event_type::ok, {r("x", nil), w("y", 1)}, 11);
    (void)only(h, external_violation_kind::stale_read);
  }
}

TEST_CASE("external: future reads return a write beyond their snapshot", "[check][external]") {
  SECTION("read-only: a write timestamped above it") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {r("x", nil)});
    h.complete(0, event_type::ok, {w("x", 1)}, 20);
    h.complete(1, event_type::ok, {r("x", 1)}, 15);
    const auto v = only(h, external_violation_kind::future_read);
    CHECK(v.reason ==
          "T1 (process 1), reading at ts 15, read 1 of key \"x\", which T0 (process 0) wrote at "
          "ts 20, after the snapshot");
  }
  SECTION("read-write: a write timestamped above its commit") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).invoke(1, {r("x", nil), w("y", 1)});
    h.complete(0, event_type::ok, {w("x", 1)}, 25);
    h.complete(1, event_type::ok, {r("x", 1), w("y", 1)}, 20);
    const auto v = only(h, external_violation_kind::future_read);
    CHECK(v.reason ==
          "T1 (process 1), committing at ts 20, read 1 of key \"x\", which T0 (process 0) wrote "
          "at ts 25, not before the reader's commit");
  }
  SECTION("a list element appended above the snapshot") {
    txn_history h;
    h.ok(0, {append("l", 1)}, 10);
    h.invoke(1, {append("l", 2)}).invoke(2, {r("l", nil)});
    h.complete(1, event_type::ok, {append("l", 2)}, 30);
    h.complete(2, event_type::ok, {r_list("l", {1, 2})}, 20);
    (void)only(h, external_violation_kind::future_read);
  }
}

TEST_CASE("external: list reads out of timestamp order", "[check][external]") {
  txn_history h;
  h.invoke(0, {append("l", 1)}).invoke(1, {append("l", 2)});
  h.complete(0, event_type::ok, {append("l", 1)}, 20);
  h.complete(1, event_type::ok, {append("l", 2)}, 10);
  h.ok(2, {r_list("l", {1, 2})}, 30);
  const auto v = only(h, external_violation_kind::misordered_read);
  CHECK(v.reason ==
        "T2 (process 2), reading at ts 30, read key \"l\" as [1 2]: element 0 is 1, where "
        "timestamp order puts 2");
}

TEST_CASE("external: reads of values no committed write made", "[check][external]") {
  SECTION("a value nobody wrote") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {r("x", 9)}, 20);
    const auto v = only(h, external_violation_kind::unknown_write);
    CHECK(v.reason ==
          "T1 (process 1), reading at ts 20, read 9 of key \"x\", which no transaction wrote");
  }
  SECTION("a key nobody wrote") {
    txn_history h;
    h.ok(0, {r_list("l", {4})}, 10);
    (void)only(h, external_violation_kind::unknown_write);
  }
  SECTION("a list element nobody appended") {
    txn_history h;
    h.ok(0, {append("l", 1)}, 10).ok(1, {r_list("l", {1, 7})}, 20);
    (void)only(h, external_violation_kind::unknown_write);
  }
  SECTION("a value only a failed transaction wrote") {
    txn_history h;
    h.invoke(0, {w("x", 1)}).complete(0, event_type::fail, {w("x", 1)}, {});
    h.ok(1, {r("x", 1)}, 20);
    const auto v = only(h, external_violation_kind::aborted_read);
    CHECK(v.reason ==
          "T1 (process 1), reading at ts 20, read 1 of key \"x\", written only by T0 (process 0), "
          "which failed");
  }
  SECTION("a value its writer overwrote before committing") {
    txn_history h;
    h.ok(0, {w("x", 1), w("x", 2)}, 10).ok(1, {r("x", 1)}, 20);
    (void)only(h, external_violation_kind::intermediate_read);
  }
}

TEST_CASE("external: info transactions may have committed, at their timestamp if they have one",
          "[check][external]") {
  SECTION("with a timestamp, unseen: its absence is fine") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10);
    h.invoke(1, {w("x", 2)}).complete(1, event_type::info, {w("x", 2)}, 20);
    h.ok(2, {r("x", 1)}, 30);
    const auto r = judge(h.txns());
    CHECK(r.valid());
    CHECK(r.committed == 2);
  }
  SECTION("with a timestamp, seen at or above it: fine, and committed") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10);
    h.invoke(1, {w("x", 2)}).complete(1, event_type::info, {w("x", 2)}, 20);
    h.ok(2, {r("x", 2)}, 30);
    const auto r = judge(h.txns());
    CHECK(r.valid());
    CHECK(r.committed == 3);
  }
  SECTION("with a timestamp, seen below it: from the future") {
    txn_history h;
    h.invoke(1, {w("x", 2)}).complete(1, event_type::info, {w("x", 2)}, 20);
    h.ok(2, {r("x", 2)}, 15);
    (void)only(h, external_violation_kind::future_read);
  }
  SECTION("seen by one read, it committed: another read above it that misses it is stale") {
    txn_history h;
    h.ok(0, {append("l", 1)}, 10);
    h.invoke(1, {append("l", 2)}).complete(1, event_type::info, {append("l", 2)}, 20);
    h.ok(2, {r_list("l", {1, 2})}, 30).ok(3, {r_list("l", {1})}, 40);
    const auto v = only(h, external_violation_kind::stale_read);
    CHECK(v.positions == std::vector<std::size_t>{3, 1});
  }
  SECTION("seen, it is held to real-time order") {
    txn_history h;
    h.ok(0, {w("y", 1)}, 30);
    h.invoke(1, {w("x", 2)}).complete(1, event_type::info, {w("x", 2)}, 20);
    h.ok(2, {r("x", 2), r("y", 1)}, 40);
    (void)only(h, external_violation_kind::timestamp_order);
  }
  SECTION("without a timestamp: its writes read are not judged") {
    txn_history h;
    h.ok(0, {w("x", 1), append("l", 1)}, 10);
    h.invoke(1, {w("x", 2), append("l", 2)});
    h.complete(1, event_type::info, {w("x", 2), append("l", 2)}, {});
    h.ok(2, {r("x", 2), r_list("l", {1, 2})}, 30).ok(3, {r("x", 1), r_list("l", {1})}, 40);
    const auto r = judge(h.txns());
    INFO(explain(r));
    CHECK(r.valid());
    CHECK(r.reads == 4);
    CHECK(r.unjudged_reads == 2);
    CHECK(r.committed == 3);
    CHECK(explain(r) ==
          "externally consistent: 3 committed transactions (2 read-only), 4 reads (2 not "
          "judged)\n");
  }
}

TEST_CASE("external: what cannot be judged is said, not guessed", "[check][external]") {
  SECTION("a value written twice") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {w("x", 1)}, 20).ok(2, {r("x", 1)}, 30);
    const auto r = judge(h.txns());
    CHECK(kinds(r) == std::vector{external_violation_kind::unjudgeable});
    CHECK(r.violations.front().reason ==
          "value 1 of key \"x\" is written twice: reads cannot name their writer");
    CHECK(r.violations.front().positions == std::vector<std::size_t>{0, 1});
    CHECK(r.unjudged_reads == 1);
  }
  SECTION("a key written as a register and as a list") {
    txn_history h;
    h.ok(0, {w("x", 1)}, 10).ok(1, {append("x", 2)}, 20);
    (void)only(h, external_violation_kind::unjudgeable);
  }
  SECTION("an ok transaction without a timestamp is refused") {
    txn_history h;
    h.invoke(3, {w("x", 1)}).complete(3, event_type::ok, {w("x", 1)}, {});
    std::string why;
    const auto r = check_external_consistency(h.txns(), &why);
    REQUIRE_FALSE(r);
    CHECK(r.error() == coact::errc::invalid_argument);
    CHECK(why ==
          "the transaction of process 3 completed ok at index 1 without a version: its commit "
          "timestamp (a read-only transaction's snapshot timestamp), by which external "
          "consistency is judged");
  }
}

TEST_CASE("external: 50,000 transactions in a chain are judged in O(n log n)",
          "[check][external]") {
  // Each writer overwrites x and appends to l; each reader reads both. Quadratic work
  // (every pair for real time, every list rebuilt per read) would not finish in time.
  txn_history h;
  std::int64_t last = 0;
  for (std::int64_t i = 1; i <= 25'000; ++i) {
    const auto ts = static_cast<std::uint64_t>(i) * 10;
    h.ok(0, {r("x", i == 1 ? nil : std::optional{last}), w("x", i)}, ts);
    h.ok(1, {r("x", i)}, ts + 5);
    last = i;
  }
  const auto r = judge(h.txns());
  CHECK(r.valid());
  CHECK(r.committed == 50'000);
  CHECK(r.read_only == 25'000);
}
