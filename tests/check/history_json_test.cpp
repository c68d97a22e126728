// Histories as JSON lines: what is written loads back the same, Jepsen-style files from
// other tools load, and a bad file is refused with the line and the reason.
#include "coact/check/history_json.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace coact::check;

namespace {

history sample() {
  history h(4);
  h[0] = {.index = 0,
          .time_ns = 5,
          .process = 1,
          .type = event_type::invoke,
          .f = op_kind::write,
          .key = "k",
          .value = std::int64_t{3},
          .session = "s1"};
  h[1] = {.index = 1,
          .time_ns = 9,
          .process = 1,
          .type = event_type::ok,
          .f = op_kind::write,
          .key = "k",
          .value = std::int64_t{3},
          .version = 7,
          .node = "n2",
          .session = "s1"};
  h[2] = {.index = 2,
          .time_ns = 11,
          .process = 2,
          .type = event_type::invoke,
          .f = op_kind::cas,
          .key = "k",
          .value = std::string{"b"},
          .expected = datum{}};
  h[3] = {.index = 3,
          .time_ns = 12,
          .process = 2,
          .type = event_type::ok,
          .f = op_kind::cas,
          .key = "k",
          .value = std::string{"b"},
          .expected = datum{},
          .matched = false};
  return h;
}

bool same(const event& a, const event& b) {
  return a.index == b.index && a.time_ns == b.time_ns && a.process == b.process &&
         a.type == b.type && a.f == b.f && a.key == b.key && a.value == b.value &&
         a.expected == b.expected && a.matched == b.matched && a.version == b.version &&
         a.node == b.node && a.session == b.session;
}

}  // namespace

// Proves every field survives a write and a read, through a stream and through a file.
TEST_CASE("a history written as JSON lines reads back identical", "[check]") {
  const history h = sample();
  std::stringstream text;
  write_json_lines(text, h);
  auto back = read_json_lines(text);
  REQUIRE(back);
  REQUIRE(back.value().size() == h.size());
  for (std::size_t i = 0; i < h.size(); ++i) CHECK(same(back.value()[i], h[i]));

  const auto file = std::filesystem::temp_directory_path() / "coact_history_json_test.jsonl";
  REQUIRE(save_history(file, h));
  auto loaded = load_history(file);
  std::filesystem::remove(file);
  REQUIRE(loaded);
  CHECK(loaded.value().size() == h.size());
}

// Proves a transaction's micro-operations survive the trip: keys of both kinds, list and
// register reads, and a read not yet done (null). (Fields come out in name order.)
TEST_CASE("a transaction written as a JSON line reads back identical", "[check][txn]") {
  const std::string invoke =
      R"({"f":"txn","index":0,"process":3,"time":0,"type":"invoke","value":[["append",1,7],)"
      R"(["r","k",null],["w",2,"v"]]})";
  const std::string ok =
      R"({"f":"txn","index":1,"process":3,"time":0,"type":"ok","value":[["append",1,7],)"
      R"(["r","k",[7,"x"]],["w",2,"v"]]})";
  std::istringstream in{invoke + "\n" + ok + "\n"};
  auto h = read_json_lines(in);
  REQUIRE(h);
  REQUIRE(h.value().size() == 2);
  const event& e = h.value()[1];
  CHECK(e.f == op_kind::txn);
  REQUIRE(e.txn.size() == 3);
  CHECK(e.txn[0].f == micro_op::kind::append);
  CHECK(e.txn[0].key == datum{std::int64_t{1}});
  CHECK(e.txn[1].key == datum{std::string{"k"}});
  REQUIRE(e.txn[1].list);
  CHECK(*e.txn[1].list == std::vector<datum>{std::int64_t{7}, std::string{"x"}});
  CHECK(e.txn[2].value == datum{std::string{"v"}});
  CHECK_FALSE(h.value()[0].txn[1].list);
  CHECK(to_json_line(h.value()[0]) == invoke);
  CHECK(to_json_line(e) == ok);
}

// Proves the fields are Jepsen's: a cas value is [expected, new], time is an integer.
TEST_CASE("JSON lines use Jepsen's field names", "[check]") {
  const std::string line = to_json_line(sample()[3]);
  CHECK(line.find("\"f\":\"cas\"") != std::string::npos);
  CHECK(line.find("\"type\":\"ok\"") != std::string::npos);
  CHECK(line.find("\"value\":[null,\"b\"]") != std::string::npos);
  CHECK(line.find("\"time\":12") != std::string::npos);
  CHECK(line.find("\"matched\":false") != std::string::npos);
}

// Proves a file from another Jepsen-style tool loads: get/put names, no index, extra fields.
TEST_CASE("Jepsen-style lines from other tools load", "[check]") {
  std::istringstream text{
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\",\"value\":\"x\","
      "\"extra\":[1,2]}\n"
      "\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"a\",\"value\":null}\n"};
  auto h = read_json_lines(text);
  REQUIRE(h);
  REQUIRE(h.value().size() == 2);
  CHECK(h.value()[0].f == op_kind::write);
  CHECK(h.value()[1].f == op_kind::read);
  CHECK(h.value()[1].index == 1);
  CHECK(h.value()[1].value == datum{});
}

// Proves each kind of bad line is refused with parse_error, its line number and the reason.
TEST_CASE("a malformed history line is refused with its line and reason", "[check]") {
  const auto [text, reason] = GENERATE(table<std::string, std::string>({
      {"{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"{\"type\":\"invoke\",\"f\":\"read\"}", "missing field 'process'"},
      {"{\"process\":1.5,\"type\":\"invoke\",\"f\":\"read\"}", "is not an integer"},
      {"{\"process\":0,\"type\":\"maybe\",\"f\":\"read\"}", "unknown type"},
      {"{\"process\":0,\"type\":\"ok\",\"f\":\"delete\"}", "unknown f"},
      {"{\"process\":0,\"type\":\"ok\",\"f\":\"cas\",\"value\":3}", "[expected, new]"},
      {"{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":1.5}", "field 'value'"},
      {"{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"version\":-1}", "field 'version'"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":3}",
       "an array of [f, key, value]"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"r\",1]]}",
       "is not [f, key, value]"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"x\",1,null]]}",
       "unknown micro-operation 'x'"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"r\",null,null]]}",
       "key must be an integer or a string"},
      {"{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"append\",1,[1]]]}",
       "value is not null"},
      {"{\"process\":1,\"type\":\"ok\",\"f\":\"txn\",\"value\":[[\"r\",1,[1.5]]]}",
       "a list read holds"},
  }));
  CAPTURE(text);
  std::istringstream in{"{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n" + text + "\n"};
  parse_failure failure;
  auto h = read_json_lines(in, &failure);
  REQUIRE_FALSE(h);
  CHECK(h.error() == coact::errc::parse_error);
  CHECK(failure.line == 2);
  CHECK_THAT(failure.reason, Catch::Contains(reason));
}

// Proves a file that cannot be opened is a clear error, not an empty history.
TEST_CASE("loading a missing history file fails with invalid_argument", "[check]") {
  parse_failure failure;
  auto h = load_history("/nonexistent/coact/history.jsonl", &failure);
  REQUIRE_FALSE(h);
  CHECK(h.error() == coact::errc::invalid_argument);
  CHECK_THAT(failure.reason, Catch::Contains("cannot open"));
}

namespace {

/// The history of `text`, which must load.
history loaded(const std::string& text, std::size_t* skipped = nullptr) {
  std::istringstream in{text};
  parse_failure failure;
  auto h = read_json_lines(in, &failure, skipped);
  INFO(failure.reason);
  REQUIRE(h);
  return h.value();
}

/// Why `text` is refused, at which line.
parse_failure refusal(const std::string& text) {
  std::istringstream in{text};
  parse_failure failure;
  auto h = read_json_lines(in, &failure);
  REQUIRE_FALSE(h);
  CHECK(h.error() == coact::errc::parse_error);
  return failure;
}

}  // namespace

// Regression: 2^64 - 1 was read as -1, so a read of -1 matched a write of 2^64 - 1.
TEST_CASE("integers outside the signed 64-bit range are refused", "[check]") {
  const std::string write =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":18446744073709551615}\n";
  parse_failure f = refusal("\n" + write);
  CHECK(f.line == 2);
  CHECK(f.reason == "field 'value' is not null, an integer from -2^63 to 2^63 - 1 or a string");

  f = refusal("{\"process\":9223372036854775808,\"type\":\"invoke\",\"f\":\"read\"}");
  CHECK_THAT(f.reason, Catch::Contains("field 'process' is not an integer from -2^63"));
  f = refusal(
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[0,9223372036854775808]}");
  CHECK_THAT(f.reason, Catch::Contains("a cas value holds"));
  f = refusal("{\"index\":-1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}");
  CHECK(f.reason == "field 'index' is not a non-negative integer");

  const history edges = loaded(
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":9223372036854775807}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":-9223372036854775808}\n");
  CHECK(edges[0].value == datum{std::numeric_limits<std::int64_t>::max()});
  CHECK(edges[1].value == datum{std::numeric_limits<std::int64_t>::min()});
}

// Proves the lines are the history's order: indices must increase, and a missing one
// follows the previous.
TEST_CASE("JSON lines are in index order", "[check]") {
  const history h = loaded(
      "{\"index\":4,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}\n");
  CHECK(h[0].index == 4);
  CHECK(h[1].index == 5);

  const parse_failure f = refusal(
      "{\"index\":4,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
      "{\"index\":4,\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}\n");
  CHECK(f.line == 2);
  CHECK_THAT(f.reason, Catch::Contains("index 4 does not come after the previous event's 4"));
}

// Proves events that do not pair up are refused at their line, naming the process.
TEST_CASE("a history that does not pair up is refused at its line", "[check]") {
  const std::string invoke = "{\"process\":3,\"type\":\"invoke\",\"f\":\"read\",\"time\":50}\n";
  const auto [second, reason] = GENERATE_COPY(table<std::string, std::string>({
      {"{\"process\":4,\"type\":\"ok\",\"f\":\"read\",\"value\":1}",
       "process 4 completes a read it never invoked"},
      {invoke, "process 3 invokes read while its read is still open"},
      {"{\"process\":3,\"type\":\"ok\",\"f\":\"write\",\"value\":1,\"time\":60}",
       "process 3 completes a write but invoked a read"},
      // Regression: judged not linearizable with no operation to blame.
      {"{\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"value\":1,\"time\":40}",
       "process 3 completes its read at time 40, before its invocation at time 50"},
  }));
  CAPTURE(second);
  const parse_failure f = refusal(invoke + "\n" + second + "\n");
  CHECK(f.line == 3);
  CHECK(f.reason == reason);
}

// Proves events of Jepsen's nemesis (a string process) are skipped and counted, whatever
// their other fields hold.
TEST_CASE("nemesis events are skipped and counted", "[check]") {
  std::size_t skipped = 99;
  const history h = loaded(
      "{\"index\":0,\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"start\","
      "\"value\":{\"n1\":[\"n2\"]}}\n"
      "{\"index\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
      "{\"index\":2,\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"stop\"}\n"
      "{\"index\":3,\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":null}\n",
      &skipped);
  CHECK(skipped == 2);
  REQUIRE(h.size() == 2);
  CHECK(h[0].index == 1);
  CHECK(h[1].index == 3);
}
