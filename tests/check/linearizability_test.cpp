// The linearizability checker on hand-built histories and on the golden Jepsen and
// Porcupine histories, and the loaders of those histories' formats.
#include "coact/check/linearizability.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "coact/check/history_json.hpp"
#include "coact/check/jepsen_log.hpp"

using namespace coact::check;

namespace {

const std::string golden_dir = COACT_CHECKER_GOLDEN_DIR;

datum num(std::int64_t v) { return datum{v}; }

/// A history written one event at a time; each event's time is its position.
class script {
 public:
  script& invoke(std::int64_t process, op_kind f, datum value = {}, std::string key = {}) {
    return add(process, event_type::invoke, f, std::move(value), std::move(key));
  }
  script& ok(std::int64_t process, op_kind f, datum value = {}, std::string key = {}) {
    return add(process, event_type::ok, f, std::move(value), std::move(key));
  }
  script& fail(std::int64_t process, op_kind f, datum value = {}) {
    return add(process, event_type::fail, f, std::move(value), {});
  }
  script& info(std::int64_t process, op_kind f) {
    return add(process, event_type::info, f, {}, {});
  }
  /// A cas invocation, or (with `type` a completion) its completion.
  script& cas(std::int64_t process, event_type type, std::int64_t expected, std::int64_t desired,
              bool matched = true) {
    add(process, type, op_kind::cas, num(desired), {});
    h_.back().expected = num(expected);
    h_.back().matched = matched;
    return *this;
  }
  /// One operation that completes right after its invocation.
  script& op(std::int64_t process, op_kind f, datum in, datum out, std::string key = {}) {
    invoke(process, f, std::move(in), key);
    return ok(process, f, std::move(out), std::move(key));
  }

  [[nodiscard]] const history& events() const { return h_; }

 private:
  script& add(std::int64_t process, event_type type, op_kind f, datum value, std::string key) {
    event e;
    e.index = h_.size();
    e.time_ns = static_cast<std::int64_t>(h_.size()) * 10;
    e.process = process;
    e.type = type;
    e.f = f;
    e.value = std::move(value);
    e.key = std::move(key);
    h_.push_back(std::move(e));
    return *this;
  }

  history h_;
};

verdict check(const script& s, const linearizability_options& options = {}) {
  const auto report = check_linearizability(s.events(), options);
  REQUIRE(report);
  return report.value().outcome;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// Proves a sequential history whose reads return the latest write is linearizable.
TEST_CASE("a register history that follows the model is linearizable", "[check]") {
  script s;
  s.op(0, op_kind::write, num(1), num(1))
      .op(1, op_kind::read, {}, num(1))
      .op(0, op_kind::write, num(2), num(2))
      .op(1, op_kind::read, {}, num(2));
  CHECK(check(s) == verdict::linearizable);
}

// Proves a read of an overwritten value after the overwrite completed is caught, and that
// the report gives the prefix that works and the read that cannot follow it.
TEST_CASE("a stale read is not linearizable, with an explanation", "[check]") {
  script s;
  s.op(0, op_kind::write, num(1), num(1))
      .op(0, op_kind::write, num(2), num(2))
      .op(1, op_kind::read, {}, num(1));
  const auto report = check_linearizability(s.events());
  REQUIRE(report);
  const linearizability_report& r = report.value();
  CHECK(r.outcome == verdict::not_linearizable);
  CHECK(r.key.empty());
  REQUIRE(r.prefix.size() == 2);
  CHECK(r.prefix[1].argument == num(2));
  CHECK(r.state_after_prefix == num(2));
  REQUIRE(r.blocked.size() == 1);
  CHECK(r.blocked[0].f == op_kind::read);
  CHECK(r.blocked[0].process == 1);
  CHECK(r.explanation.find("process 1 read -> 1, ok, invoked at 40, completed at 50") !=
        std::string::npos);
  CHECK(r.explanation.find("leaving the state at 2") != std::string::npos);
}

// Proves an acknowledged write that a later read does not see is caught.
TEST_CASE("a lost write is not linearizable", "[check]") {
  script s;
  s.op(0, op_kind::write, num(1), num(1)).op(1, op_kind::read, {}, {});
  CHECK(check(s) == verdict::not_linearizable);
}

// Proves concurrent writes may take effect in either order, but reads after both agree.
TEST_CASE("concurrent writes can be ordered either way", "[check]") {
  const auto concurrent = [](std::int64_t first_read, std::int64_t second_read) {
    script s;
    s.invoke(0, op_kind::write, num(1))
        .invoke(1, op_kind::write, num(2))
        .ok(0, op_kind::write, num(1))
        .ok(1, op_kind::write, num(2))
        .op(2, op_kind::read, {}, num(first_read))
        .op(2, op_kind::read, {}, num(second_read));
    return check(s);
  };
  CHECK(concurrent(1, 1) == verdict::linearizable);
  CHECK(concurrent(2, 2) == verdict::linearizable);
  CHECK(concurrent(2, 1) == verdict::not_linearizable);
}

// Proves a matched cas sets the value only when it held `expected`, and an unmatched one is
// legal only when the value differed, and changes nothing.
TEST_CASE("cas success and failure follow the compare", "[check]") {
  const auto after_write_1 = [](std::int64_t expected, bool matched, std::int64_t read) {
    script s;
    s.op(0, op_kind::write, num(1), num(1))
        .cas(0, event_type::invoke, expected, 5)
        .cas(0, event_type::ok, expected, 5, matched)
        .op(1, op_kind::read, {}, num(read));
    return check(s);
  };
  CHECK(after_write_1(1, true, 5) == verdict::linearizable);
  CHECK(after_write_1(2, true, 5) == verdict::not_linearizable);  // the compare could not match
  CHECK(after_write_1(2, false, 1) == verdict::linearizable);
  CHECK(after_write_1(1, false, 1) == verdict::not_linearizable);  // it must have matched
  CHECK(after_write_1(2, false, 5) == verdict::not_linearizable);  // a failed cas sets nothing
}

// Proves a write with unknown outcome may take effect long after its invocation, but
// never before it.
TEST_CASE("an info write may take effect late", "[check]") {
  script late;
  late.invoke(0, op_kind::write, num(1))
      .info(0, op_kind::write)
      .op(1, op_kind::read, {}, {})
      .op(1, op_kind::read, {}, num(1));
  CHECK(check(late) == verdict::linearizable);

  script early;
  early.op(1, op_kind::read, {}, num(1)).invoke(0, op_kind::write, num(1)).info(0, op_kind::write);
  CHECK(check(early) == verdict::not_linearizable);
}

// Proves a write with unknown outcome, or one never completed, may never take effect.
TEST_CASE("an info write may never take effect", "[check]") {
  script s;
  s.invoke(0, op_kind::write, num(1))
      .info(0, op_kind::write)
      .invoke(2, op_kind::write, num(7))
      .op(1, op_kind::read, {}, {})
      .op(1, op_kind::read, {}, {});
  CHECK(check(s) == verdict::linearizable);
}

// Proves failed operations and unanswered reads are left out of the check.
TEST_CASE("fail operations and info reads constrain nothing", "[check]") {
  script s;
  s.invoke(0, op_kind::write, num(1))
      .fail(0, op_kind::write, num(1))
      .invoke(1, op_kind::read)
      .fail(1, op_kind::read, num(9))
      .invoke(1, op_kind::read)
      .info(1, op_kind::read)
      .op(2, op_kind::read, {}, {});
  CHECK(check(s) == verdict::linearizable);
}

// Proves keys are independent registers, and a failure names its key.
TEST_CASE("each key is checked on its own", "[check]") {
  script s;
  s.op(0, op_kind::write, num(1), num(1), "a")
      .op(1, op_kind::read, {}, {}, "b")
      .op(1, op_kind::read, {}, num(1), "a");
  CHECK(check(s) == verdict::linearizable);

  s.op(0, op_kind::write, num(2), num(2), "b").op(1, op_kind::read, {}, {}, "b");
  const auto report = check_linearizability(s.events());
  REQUIRE(report);
  CHECK(report.value().outcome == verdict::not_linearizable);
  CHECK(report.value().key == "b");
  CHECK(report.value().explanation.find("key \"b\"") != std::string::npos);
}

// Proves appends concatenate onto the configured initial value, in a real-time order.
TEST_CASE("appends build a string from the initial value", "[check]") {
  const auto appended = [](std::string read) {
    script s;
    s.invoke(0, op_kind::append, datum{"x"})
        .invoke(1, op_kind::append, datum{"y"})
        .ok(0, op_kind::append, datum{"x"})
        .ok(1, op_kind::append, datum{"y"})
        .op(2, op_kind::read, {}, datum{std::move(read)});
    linearizability_options options;
    options.initial = std::string{};
    return check(s, options);
  };
  CHECK(appended("xy") == verdict::linearizable);
  CHECK(appended("yx") == verdict::linearizable);
  CHECK(appended("x") == verdict::not_linearizable);
  CHECK(appended("xx") == verdict::not_linearizable);
}

// Proves a search cut short by its step limit answers unknown rather than guessing.
TEST_CASE("a tiny step limit gives unknown", "[check]") {
  script s;
  for (std::int64_t p = 0; p < 6; ++p) s.invoke(p, op_kind::write, num(p));
  for (std::int64_t p = 0; p < 6; ++p) s.ok(p, op_kind::write, num(p));
  s.op(7, op_kind::read, {}, num(42));
  linearizability_options options;
  options.step_limit = 5;
  const auto report = check_linearizability(s.events(), options);
  REQUIRE(report);
  CHECK(report.value().outcome == verdict::unknown);
  CHECK(report.value().explanation.find("step limit of 5 steps") != std::string::npos);
  CHECK(check(s) == verdict::not_linearizable);
}

// Proves a history whose events do not pair up is refused as malformed.
TEST_CASE("an unpaired history is a parse error", "[check]") {
  script s;
  s.ok(0, op_kind::write, num(1));
  const auto report = check_linearizability(s.events());
  REQUIRE_FALSE(report);
  CHECK(report.error() == coact::errc::parse_error);
}

// Regression: events without times were all at time 0, every operation concurrent, and
// this history (a read of 3 that completes before the write of 3 is invoked) passed.
TEST_CASE("real-time order is the history's order, not its times", "[check]") {
  std::istringstream untimed{
      R"({"process": 18, "type": "invoke", "f": "read", "value": null, "index": 0}
{"process": 18, "type": "ok", "f": "read", "value": 3, "index": 1}
{"process": 68, "type": "invoke", "f": "write", "value": 3, "index": 2}
{"process": 68, "type": "ok", "f": "write", "value": 3, "index": 3}
)"};
  auto h = read_json_lines(untimed);
  REQUIRE(h);
  auto report = check_linearizability(h.value());
  REQUIRE(report);
  CHECK(report.value().outcome == verdict::not_linearizable);
  REQUIRE(report.value().blocked.size() == 1);
  CHECK(report.value().blocked[0].process == 18);

  // Times that make the two overlap do not make them concurrent either.
  history timed = h.value();
  const std::int64_t times_ns[] = {100, 400, 200, 300};
  for (std::size_t i = 0; i < timed.size(); ++i) timed[i].time_ns = times_ns[i];
  report = check_linearizability(timed);
  REQUIRE(report);
  CHECK(report.value().outcome == verdict::not_linearizable);

  // Overlapping in the history's order, they are concurrent: the write may come first.
  std::swap(timed[1], timed[2]);
  timed[1].index = 1;
  timed[2].index = 2;
  report = check_linearizability(timed);
  REQUIRE(report);
  CHECK(report.value().outcome == verdict::linearizable);
}

// Proves the etcd log loader reads every form of line the Jepsen logs hold.
TEST_CASE("the etcd log loader reads Jepsen's lines", "[check]") {
  const std::string text =
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4]\n"
      "INFO  jepsen.util - 1   :invoke :read   nil\n"
      "INFO  jepsen.core - Worker 1 starting\n"
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
      "INFO  jepsen.util - 0\t:fail\t:cas\t[1 4]\n"
      "INFO  jepsen.util - 1\t:fail\t:read\t:timed-out\n"
      "INFO  jepsen.util - 2\t:invoke\t:write\t3\n"
      "INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n";
  load_error error;
  std::size_t skipped = 0;
  const auto h = parse_jepsen_etcd_log(text, &error, &skipped);
  REQUIRE(h);
  REQUIRE(h.value().size() == 6);
  CHECK(skipped == 1);  // the nemesis line; the jepsen.core line is no event
  const event& cas_done = h.value()[2];
  CHECK(cas_done.type == event_type::ok);
  CHECK(cas_done.f == op_kind::cas);
  CHECK_FALSE(cas_done.matched);
  CHECK(cas_done.expected == num(1));
  CHECK(cas_done.value == num(4));
  CHECK(h.value()[3].type == event_type::info);
  CHECK(h.value()[5].type == event_type::info);
  const auto ops = pair_operations(h.value());
  REQUIRE(ops);
  CHECK(ops.value()[2].argument == num(3));
  CHECK(ops.value()[2].complete_ns == never_ns);
}

// Proves malformed etcd lines are refused with their line number, and a missing file with
// a file system error.
TEST_CASE("the etcd log loader reports malformed lines", "[check]") {
  const auto error_line = [](const std::string& text) {
    load_error error;
    const auto h = parse_jepsen_etcd_log(text, &error);
    REQUIRE_FALSE(h);
    CHECK(h.error() == coact::errc::parse_error);
    CHECK_FALSE(error.message.empty());
    return error.line;
  };
  const std::string invoke = "INFO  jepsen.util - 0\t:invoke\t:write\t1\n";
  CHECK(error_line(invoke + "INFO  jepsen.util - 0\t:invoke\t:cas\t[1\n") == 2);
  CHECK(error_line("\n" + invoke + "INFO  jepsen.util - 0\t:invoke\t:write\tx\n") == 3);
  CHECK(error_line("INFO  jepsen.util - 0\t:ok\t:write\t1\n") == 1);
  CHECK(error_line(invoke + "INFO  jepsen.util - 0\t:ok\t:read\t1\n") == 2);
  CHECK(error_line("INFO  jepsen.util - 0\t:invoke\t:delete\t1\n") == 1);
  CHECK(error_line("INFO  jepsen.util - 0\t:done\t:read\tnil\n") == 1);
  CHECK(error_line("INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2 3]\n") == 1);

  load_error error;
  const auto missing = read_jepsen_etcd_log(golden_dir + "/jepsen-etcd/no_such.log", &error);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == std::errc::no_such_file_or_directory);
  CHECK(error.line == 0);
}

// Proves the EDN loader maps get/put/append onto read/write/append with keys and strings.
TEST_CASE("the kv EDN loader reads Porcupine's lines", "[check]") {
  const std::string text =
      "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "\n"
      "{:process 1, :type :invoke, :f :get, :key \"0\", :value nil}\n"
      "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"0\", :value \"a \\\"q\\\"\", :time 5}\n"
      "{:process 2 :type :invoke :f :put :key \"1\" :value \"z\"}\n";
  const auto h = parse_kv_edn(text);
  REQUIRE(h);
  REQUIRE(h.value().size() == 5);
  CHECK(h.value()[0].f == op_kind::append);
  CHECK(h.value()[0].key == "0");
  CHECK(h.value()[0].value == datum{"x 0 0 y"});
  CHECK(h.value()[1].f == op_kind::read);
  CHECK(h.value()[3].value == datum{"a \"q\""});
  CHECK(h.value()[4].f == op_kind::write);
  CHECK(h.value()[4].time_ns == 4);
}

// Proves events of Jepsen's nemesis are skipped and counted, even with a collection for a
// value, while a client's collection value is still refused.
TEST_CASE("the kv EDN loader skips and counts nemesis events", "[check]") {
  const std::string text =
      "{:type :info, :f :start, :value [:isolated {\"n1\" #{\"n2\" \"]\"}}], :process "
      ":nemesis, :time 5}\n"
      "{:process 0, :type :invoke, :f :put, :key \"0\", :value \"a\", :error (:x [1])}\n"
      "{:process \"nemesis\", :type :info, :f :stop, :value nil}\n"
      "{:process 0, :type :ok, :f :put, :key \"0\", :value \"a\"}\n";
  std::size_t skipped = 0;
  load_error error;
  const auto h = parse_kv_edn(text, &error, &skipped);
  INFO(error.message);
  REQUIRE(h);
  CHECK(h.value().size() == 2);
  CHECK(skipped == 2);

  const auto refused =
      parse_kv_edn("{:process 0, :type :invoke, :f :put, :key \"0\", :value [1]}\n", &error);
  REQUIRE_FALSE(refused);
  CHECK(error.message == ":value is neither a string nor nil");
  REQUIRE_FALSE(parse_kv_edn("{:process :nemesis, :value [1 2}\n", &error));
  CHECK(error.message == "unclosed collection for :value");
}

// Proves every malformed EDN line is refused with its line number.
TEST_CASE("the kv EDN loader reports malformed lines", "[check]") {
  const std::string good = "{:process 0, :type :invoke, :f :put, :key \"0\", :value \"a\"}\n";
  const char* bad[] = {
      "{:process 1, :type :invoke, :f :put, :key \"0\", :value \"a\"",
      "{:process 1, :type :invoke, :f :put, :key \"0\", :value \"a}",
      "{:process 1, :type :invoke, :f :delete, :key \"0\", :value \"a\"}",
      "{:process 1, :type :begin, :f :put, :key \"0\", :value \"a\"}",
      "{:process x, :type :invoke, :f :put, :key \"0\", :value \"a\"}",
      "{:process 1, :type :invoke, :f :put, :value \"a\"}",
      "{:process 1, :type :invoke, :f :put, :key \"0\", :value 3}",
      "{:process 1, :type :invoke, :f :put, :key \"0\"}",
      "{:process 1, :type :ok, :f :put, :key \"0\", :value \"a\"}",
      "{:process 0, :type :ok, :f :put, :key \"1\", :value \"a\"}",
      "{:process 1, :type :invoke, :f :put, :key \"0\", :value \"a\"} trailing",
      "process 1",
  };
  for (const char* line : bad) {
    INFO(line);
    load_error error;
    const auto h = parse_kv_edn(good + line + "\n", &error);
    REQUIRE_FALSE(h);
    CHECK(h.error() == coact::errc::parse_error);
    CHECK(error.line == 2);
    CHECK_FALSE(error.message.empty());
  }
}

// Proves the checker reproduces the verdict of every Jepsen etcd history in the golden set.
TEST_CASE("golden etcd histories get their expected verdicts", "[check][slow]") {
  std::ifstream expected(golden_dir + "/jepsen-etcd/EXPECTED");
  REQUIRE(expected);
  std::string file;
  std::string verdict_text;
  int checked = 0;
  int reproduced = 0;
  while (expected >> file >> verdict_text) {
    INFO(file);
    load_error error;
    const auto h = read_jepsen_etcd_log(golden_dir + "/jepsen-etcd/" + file, &error);
    INFO(error.message);
    REQUIRE(h);
    const auto report = check_linearizability(h.value());
    REQUIRE(report);
    INFO(report.value().explanation);
    ++checked;
    if (to_string(report.value().outcome) == verdict_text) ++reproduced;
    CHECK(to_string(report.value().outcome) == verdict_text);
  }
  CHECK(checked == 102);
  CHECK(reproduced == checked);
}

// Proves the checker accepts every *-ok and refuses every *-bad Porcupine kv history.
TEST_CASE("golden kv histories get their expected verdicts", "[check][slow]") {
  linearizability_options options;
  options.initial = std::string{};  // an absent key reads as ""
  for (const char* clients : {"c01", "c10", "c50"}) {
    for (const bool ok : {true, false}) {
      const std::string file = std::string{clients} + (ok ? "-ok.txt" : "-bad.txt");
      INFO(file);
      load_error error;
      const auto h = read_kv_edn(golden_dir + "/kv/" + file, &error);
      INFO(error.message);
      REQUIRE(h);
      const auto report = check_linearizability(h.value(), options);
      REQUIRE(report);
      INFO(report.value().explanation);
      CHECK(report.value().outcome == (ok ? verdict::linearizable : verdict::not_linearizable));
    }
  }
}

// Proves the golden files parse the same through the file and the text entry points.
TEST_CASE("reading a file equals parsing its text", "[check]") {
  const std::string path = golden_dir + "/jepsen-etcd/etcd_000.log";
  const auto from_file = read_jepsen_etcd_log(path);
  const auto from_text = parse_jepsen_etcd_log(read_text(path));
  REQUIRE(from_file);
  REQUIRE(from_text);
  CHECK(from_file.value().size() == from_text.value().size());
  CHECK(std::equal(from_file.value().begin(), from_file.value().end(), from_text.value().begin(),
                   [](const event& a, const event& b) {
                     return a.process == b.process && a.type == b.type && a.f == b.f &&
                            a.value == b.value && a.expected == b.expected;
                   }));
}
