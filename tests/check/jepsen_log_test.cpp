// The EDN reader on Jepsen's and Elle's transaction histories (`:f :txn`): each shape it
// accepts, each refusal with its message, and agreement with the JSON lines reader. (Its
// key-value lines and the etcd log are tested with the linearizability checker.)
#include "coact/check/jepsen_log.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/history_json.hpp"
#include "coact/check/transaction.hpp"

using namespace coact::check;

namespace {

datum num(std::int64_t v) { return datum{v}; }
datum str(std::string s) { return datum{std::move(s)}; }

bool same(const micro_op& a, const micro_op& b) {
  return a.f == b.f && a.key == b.key && a.value == b.value && a.list == b.list;
}

/// Whether two events are equal in every field.
bool same(const event& a, const event& b) {
  if (a.txn.size() != b.txn.size()) return false;
  for (std::size_t i = 0; i < a.txn.size(); ++i) {
    if (!same(a.txn[i], b.txn[i])) return false;
  }
  return a.index == b.index && a.time_ns == b.time_ns && a.process == b.process &&
         a.type == b.type && a.f == b.f && a.key == b.key && a.value == b.value &&
         a.expected == b.expected && a.matched == b.matched && a.version == b.version &&
         a.node == b.node && a.session == b.session;
}

bool same(const history& a, const history& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

/// The message parse_kv_edn gives for `text`, which must be refused at line `line`.
std::string refusal(const std::string& text, std::size_t line) {
  load_error error;
  const auto h = parse_kv_edn(text, &error);
  REQUIRE_FALSE(h);
  CHECK(h.error() == coact::errc::parse_error);
  CHECK(error.line == line);
  return error.message;
}

/// An EDN invocation of a txn with `value` as its :value, by process 0.
std::string invoke_txn(const std::string& value) {
  return "{:type :invoke, :f :txn, :value " + value + ", :process 0}\n";
}

}  // namespace

// Proves a list-append history reads as Elle writes it: appends, list reads into
// micro_op::list, reads not yet done as nil, integer keys; :time and :index are ignored.
TEST_CASE("the EDN reader reads list-append transactions", "[check][txn]") {
  const std::string text =
      "{:type :invoke, :f :txn, :value [[:append 1 2] [:r 2 nil]], :process 0, :time 10, "
      ":index 0}\n"
      "{:type :ok, :f :txn, :value [[:append 1 2] [:r 2 [1 3]]], :process 0, :time 20, "
      ":index 1}\n"
      "{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 1}\n"
      "{:type :ok, :f :txn, :value [[:r 1 []]], :process 1}\n";
  load_error error;
  const auto h = parse_kv_edn(text, &error);
  INFO(error.message);
  REQUIRE(h);
  REQUIRE(h.value().size() == 4);
  const event& invoke = h.value()[0];
  CHECK(invoke.f == op_kind::txn);
  CHECK(invoke.type == event_type::invoke);
  CHECK(invoke.key.empty());
  CHECK(invoke.index == 0);
  REQUIRE(invoke.txn.size() == 2);
  CHECK(invoke.txn[0].f == micro_op::kind::append);
  CHECK(invoke.txn[0].key == num(1));
  CHECK(invoke.txn[0].value == num(2));
  CHECK(invoke.txn[1].f == micro_op::kind::read);
  CHECK(invoke.txn[1].value == datum{});
  CHECK_FALSE(invoke.txn[1].list);

  const event& ok = h.value()[1];
  CHECK(ok.type == event_type::ok);
  CHECK(ok.index == 1);
  CHECK(ok.time_ns == 1);  // the position, not :time
  REQUIRE(ok.txn.size() == 2);
  REQUIRE(ok.txn[1].list);
  CHECK(*ok.txn[1].list == std::vector<datum>{num(1), num(3)});
  REQUIRE(h.value()[3].txn.size() == 1);
  REQUIRE(h.value()[3].txn[0].list);
  CHECK(h.value()[3].txn[0].list->empty());
  CHECK(pair_operations(h.value()));
  CHECK(transactions_of(h.value()));
}

// Proves register transactions read: keyword and string keys and values become strings, a
// register read's scalar goes to value, and f may be a string too.
TEST_CASE("the EDN reader reads register transactions", "[check][txn]") {
  const std::string text =
      "{:process 0 :type :invoke :f :txn :value [[:w :x 5] [:w \"y\" :v] [\"r\" :x nil]]}\n"
      "{:process 0 :type :ok :f :txn :value [[:w :x 5] [:w \"y\" :v] [\"r\" :x 5]]}\n";
  load_error error;
  const auto h = parse_kv_edn(text, &error);
  INFO(error.message);
  REQUIRE(h);
  REQUIRE(h.value().size() == 2);
  const auto& txn = h.value()[1].txn;
  REQUIRE(txn.size() == 3);
  CHECK(txn[0].f == micro_op::kind::write);
  CHECK(txn[0].key == str("x"));
  CHECK(txn[0].value == num(5));
  CHECK(txn[1].key == str("y"));
  CHECK(txn[1].value == str("v"));
  CHECK(txn[2].f == micro_op::kind::read);
  CHECK(txn[2].key == str("x"));
  CHECK(txn[2].value == num(5));
  CHECK_FALSE(txn[2].list);
}

// Proves info and fail completions read with their micro-operations, a txn without a
// :value has none, and a txn may carry a :key, as in JSON lines.
TEST_CASE("the EDN reader reads info and fail transactions", "[check][txn]") {
  const std::string text =
      "{:type :invoke, :f :txn, :value [[:w :x 5]], :process 1}\n"
      "{:type :invoke, :f :txn, :value [[:r \"y\" nil]], :process 2}\n"
      "{:type :info, :f :txn, :value [[:w :x 5]], :process 1}\n"
      "{:type :fail, :f :txn, :value [[:r \"y\" nil]], :process 2}\n"
      "{:type :invoke, :f :txn, :process 3, :key \"k\"}\n"
      "{:type :fail, :f :txn, :value [], :process 3, :key \"k\"}\n";
  load_error error;
  const auto h = parse_kv_edn(text, &error);
  INFO(error.message);
  REQUIRE(h);
  REQUIRE(h.value().size() == 6);
  CHECK(h.value()[2].type == event_type::info);
  REQUIRE(h.value()[2].txn.size() == 1);
  CHECK(h.value()[2].txn[0].value == num(5));
  CHECK(h.value()[3].type == event_type::fail);
  REQUIRE(h.value()[3].txn.size() == 1);
  CHECK(h.value()[3].txn[0].key == str("y"));
  CHECK(h.value()[4].txn.empty());
  CHECK(h.value()[4].key == "k");
  const auto txns = transactions_of(h.value());
  REQUIRE(txns);
  CHECK(txns.value().size() == 3);
}

// Proves the nemesis's events are skipped and counted whatever their :value and :version
// hold, micro-operations and txn values that would be refused from a client included.
TEST_CASE("the EDN reader skips the nemesis among transactions", "[check][txn]") {
  const std::string text =
      "{:type :info, :f :start, :value [:isolated {\"n1\" #{\"n2\"}}], :process :nemesis}\n"
      "{:type :invoke, :f :txn, :value [[:append 1 2]], :process 0}\n"
      "{:type :info, :f :txn, :value [[:cas 1 2]], :process :nemesis, :version -1}\n"
      "{:type :ok, :f :txn, :value [[:append 1 2]], :process 0}\n";
  std::size_t skipped = 0;
  load_error error;
  const auto h = parse_kv_edn(text, &error, &skipped);
  INFO(error.message);
  REQUIRE(h);
  CHECK(h.value().size() == 2);
  CHECK(skipped == 2);
  CHECK(h.value()[1].index == 1);
}

// Proves :version is the event's version (what `coact check external` reads as the
// commit timestamp), up to 2^64 - 1, nil meaning none, and anything else refused.
TEST_CASE("the EDN reader reads a transaction's version", "[check][txn]") {
  const std::string text =
      "{:type :invoke, :f :txn, :value [[:append :x 1]], :process 0}\n"
      "{:type :ok, :f :txn, :value [[:append :x 1]], :process 0, :version 7}\n"
      "{:type :invoke, :f :txn, :value [[:append :x 2]], :process 1, :version nil}\n"
      "{:type :info, :f :txn, :value [[:append :x 2]], :process 1, "
      ":version 18446744073709551615}\n";
  load_error error;
  const auto h = parse_kv_edn(text, &error);
  INFO(error.message);
  REQUIRE(h);
  REQUIRE(h.value().size() == 4);
  CHECK(h.value()[1].version == std::uint64_t{7});
  CHECK_FALSE(h.value()[2].version);
  CHECK(h.value()[3].version == std::uint64_t{18446744073709551615ULL});

  const std::string head = "{:type :invoke, :f :txn, :value [[:append :x 1]], :process 0, ";
  for (const char* bad : {":version -1}", ":version 18446744073709551616}", ":version \"7\"}",
                          ":version [7]}", ":version :seven}"}) {
    INFO(bad);
    CHECK(refusal(head + bad + "\n", 1) == ":version is not a non-negative integer below 2^64");
  }
}

// Proves each malformed transaction is refused at its line, saying what is wrong.
TEST_CASE("the EDN reader refuses malformed transactions", "[check][txn]") {
  const std::string scalar = "nil, an integer from -2^63 to 2^63 - 1, a string or a keyword";
  const std::pair<std::string, std::string> cases[] = {
      {"[[:cas 1 2]]", "unknown micro-operation :cas (r, w or append)"},
      {"[[:r 1]]", "a txn :value's micro-operation [:r 1] is not [f key value]"},
      {"[[:r 1 nil 2]]", "a txn :value's micro-operation [:r 1 nil 2] is not [f key value]"},
      {"[:r 1 nil]", "a txn :value's micro-operation :r is not [f key value]"},
      {"[[1 1 nil]]", "a txn :value's micro-operation [1 1 nil] is not [f key value]"},
      {"[([:r 1 nil])]", "a txn :value's micro-operation ([:r 1 nil]) is not [f key value]"},
      {"nil", "a txn :value must be a vector of [f key value]"},
      {"\"[[:r 1 nil]]\"", "a txn :value must be a vector of [f key value]"},
      {"([:r 1 nil])", "a txn :value must be a vector of [f key value]"},
      {"{:r 1}", "a txn :value must be a vector of [f key value]"},
      {"[[:r 1 [1 [2]]]]", "a list read holds something other than " + scalar},
      {"[[:r 1 [1 {:a 2}]]]", "a list read holds something other than " + scalar},
      {"[[:r nil 1]]",
       "a micro-operation's key must be an integer, a string or a keyword, not nil"},
      {"[[:w [1] 1]]",
       "a micro-operation's key must be an integer, a string or a keyword, not [1]"},
      {"[[:w 1 [2]]]", "a micro-operation's value is not " + scalar},
      {"[[:append 1 99999999999999999999]]", "a micro-operation's value is not " + scalar},
      {"[[:r 1 {:a 1}]]", "a micro-operation's value is not " + scalar + " or a vector of them"},
      {"[[:r 1 #{1}]]", "a micro-operation's value is not " + scalar + " or a vector of them"},
      {"[[:r 1 nil]", "unclosed collection for :value"},
  };
  const std::string good = invoke_txn("[[:r 1 nil]]");
  for (const auto& [value, message] : cases) {
    INFO(value);
    CHECK(refusal(good + "{:type :invoke, :f :txn, :value " + value + ", :process 1}\n", 2) ==
          message);
  }
  CHECK(refusal("{:type :invoke, :value [[:r 1 nil]], :process 1}\n", 1) ==
        "missing :process, :type, :f or :key");
  // A txn's value on a key-value operation is not one.
  CHECK(refusal("{:type :invoke, :f :put, :key \"k\", :value [[:r 1 nil]], :process 1}\n", 1) ==
        ":value is neither a string nor nil");
  // And a txn breaks the pairing as any operation does.
  CHECK(refusal(good + "{:type :ok, :f :put, :key \"k\", :value \"a\", :process 0}\n", 2)
            .find("process 0") != std::string::npos);
  CHECK(
      refusal("{:type :ok, :f :txn, :value [[:r 1 nil]], :process 4}\n", 1).find("never invoked") !=
      std::string::npos);
}

// Proves the EDN reader and the JSON lines reader read one history alike: the same
// transactions written both ways give equal histories (keywords read as strings), and the
// EDN one written back as JSON lines reads back equal.
TEST_CASE("a transactional history in EDN equals it in JSON lines", "[check][txn]") {
  const std::string edn =
      "{:type :invoke, :f :txn, :value [[:append 1 2] [:r 2 nil] [:w :x 5]], :process 0}\n"
      "{:type :info, :f :start, :process :nemesis}\n"
      "{:type :invoke, :f :txn, :value [[:r \"y\" nil]], :process 1}\n"
      "{:type :ok, :f :txn, :value [[:append 1 2] [:r 2 [1 \"a\" :b]] [:w :x 5]], :process 0, "
      ":version 9}\n"
      "{:type :fail, :f :txn, :value [[:r \"y\" nil]], :process 1}\n"
      "{:type :invoke, :f :txn, :value [[:w -3 nil]], :process 2}\n"
      "{:type :info, :f :txn, :value [[:w -3 nil]], :process 2, :version 10}\n";
  // JSON lines without `time` read 0; EDN's time is the position, so say it.
  const std::string jsonl =
      R"({"time": 0, "type": "invoke", "f": "txn", "value": [["append", 1, 2], ["r", 2, null], ["w", "x", 5]], "process": 0})"
      "\n"
      R"({"type": "info", "f": "start", "process": "nemesis"})"
      "\n"
      R"({"time": 1, "type": "invoke", "f": "txn", "value": [["r", "y", null]], "process": 1})"
      "\n"
      R"({"time": 2, "type": "ok", "f": "txn", "value": [["append", 1, 2], ["r", 2, [1, "a", "b"]], ["w", "x", 5]], "process": 0, "version": 9})"
      "\n"
      R"({"time": 3, "type": "fail", "f": "txn", "value": [["r", "y", null]], "process": 1})"
      "\n"
      R"({"time": 4, "type": "invoke", "f": "txn", "value": [["w", -3, null]], "process": 2})"
      "\n"
      R"({"time": 5, "type": "info", "f": "txn", "value": [["w", -3, null]], "process": 2, "version": 10})"
      "\n";
  load_error edn_error;
  std::size_t edn_skipped = 0;
  const auto from_edn = parse_kv_edn(edn, &edn_error, &edn_skipped);
  INFO(edn_error.message);
  REQUIRE(from_edn);
  std::istringstream json_in{jsonl};
  parse_failure json_failure;
  std::size_t json_skipped = 0;
  const auto from_json = read_json_lines(json_in, &json_failure, &json_skipped);
  INFO(json_failure.reason);
  REQUIRE(from_json);
  CHECK(from_edn.value().size() == 6);
  CHECK(edn_skipped == json_skipped);
  CHECK(same(from_edn.value(), from_json.value()));

  std::stringstream written;
  write_json_lines(written, from_edn.value());
  const auto back = read_json_lines(written);
  REQUIRE(back);
  CHECK(same(back.value(), from_edn.value()));
}

// Proves no prefix of a transaction line (a file cut short, a line half written) crashes
// the reader: each reads, or is refused at line 1 with a reason.
TEST_CASE("every prefix of a transaction line reads or is refused", "[check][txn]") {
  const std::string line =
      "{:type :ok, :f :txn, :value [[:append 1 2] [:r \"k\\\"\" [1 :a \"]\"]] [:w :x nil]], "
      ":process 0, :version 3}";
  for (std::size_t n = 0; n <= line.size(); ++n) {
    const std::string text = invoke_txn("[]") + line.substr(0, n) + "\n";
    INFO(text);
    load_error error;
    const auto h = parse_kv_edn(text, &error);
    if (h) {
      CHECK(pair_operations(h.value()));
    } else {
      CHECK(h.error() == coact::errc::parse_error);
      CHECK(error.line == 2);
      CHECK_FALSE(error.message.empty());
    }
  }
}
