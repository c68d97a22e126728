// YCSB's core workloads by name, their request mixes as clients run them (within a
// tolerance of a few standard deviations), D's inserts and reads of the latest keys, F's
// read-modify-writes, and E refused, naming the family, since no family offers scans.
#include "coact/workload/core_workload.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "coact/actors/kv_errc.hpp"
#include "coact/check/history.hpp"
#include "local_store.hpp"

using namespace coact::workload;
using namespace std::chrono_literals;
using coact::check::event_type;
using coact::check::op_kind;

namespace {

/// The completed operations of a run of YCSB workload `name` by four clients of 2,000
/// requests each over 100 keys, on a local store.
coact::check::history run_ycsb(const std::string& name) {
  const scenario s{.deploy = workload_test::local(std::chrono::microseconds{100}),
                   .work = {.requests = ycsb(name).value(),
                            .record_count = 100,
                            .operations = 2000,
                            .think_max = {}},
                   .length = 10s};
  auto r = run(s, 1);
  REQUIRE(r);
  coact::check::history done;
  for (const auto& e : r.value().history) {
    if (e.type == event_type::ok) done.push_back(e);
  }
  REQUIRE(done.size() >= 8000);
  return done;
}

double share(const coact::check::history& h, op_kind f) {
  double n = 0;
  for (const auto& e : h) n += e.f == f ? 1 : 0;
  return n / static_cast<double>(h.size());
}

}  // namespace

TEST_CASE("YCSB's core workloads A to F are known by name", "[workload]") {
  for (const char* name : {"A", "B", "C", "D", "E", "F"}) {
    REQUIRE(ycsb(name));
    CHECK(ycsb(name).value().name == name);
  }
  CHECK(ycsb("D").value().distribution == request_distribution::latest);
  CHECK(ycsb("E").value().scan == 0.95);
  CHECK(ycsb("G").error() == coact::errc::invalid_argument);
  CHECK(ycsb("a").error() == coact::errc::invalid_argument);
}

// 8,000 requests: a share p has a standard deviation of at most 0.006; the tolerances are
// about four of them.
TEST_CASE("clients run A, B and C in their mixes of reads and updates", "[workload]") {
  CHECK(share(run_ycsb("A"), op_kind::read) == Approx(0.5).margin(0.025));
  CHECK(share(run_ycsb("B"), op_kind::read) == Approx(0.95).margin(0.01));
  CHECK(share(run_ycsb("C"), op_kind::read) == 1);
}

TEST_CASE("D inserts new keys and reads the latest most", "[workload]") {
  const auto h = run_ycsb("D");
  CHECK(share(h, op_kind::read) == Approx(0.95).margin(0.01));
  std::map<std::string, int> inserts;
  int latest_reads = 0;
  int reads = 0;
  for (const auto& e : h) {
    if (e.f == op_kind::write) {
      ++inserts[e.key];
      CHECK(std::stoi(e.key.substr(1)) >= 100);  // a new key, never an existing one
    } else if (e.f == op_kind::read) {
      ++reads;
      // A read that found a value read an inserted key: the first 100 were never written.
      if (e.value.index() != 0) ++latest_reads;
    }
  }
  for (const auto& [key, n] : inserts) CHECK(n == 1);
  // Most reads go to the newest keys, which were inserted: about 1 - P(rank >= count - 100).
  CHECK(latest_reads > reads / 2);
}

TEST_CASE("F reads every key it writes, just before writing it", "[workload]") {
  const auto h = run_ycsb("F");
  CHECK(share(h, op_kind::write) == Approx(1.0 / 3).margin(0.02));
  std::map<std::int64_t, std::string> last_read;
  for (const auto& e : h) {
    if (e.f == op_kind::read) last_read[e.process] = e.key;
    if (e.f == op_kind::write) CHECK(last_read[e.process] == e.key);
  }
}

TEST_CASE("E is refused, naming the family, since no family has scans", "[workload]") {
  std::string why;
  const auto r =
      run({.deploy = workload_test::local(1ms), .work = {.requests = ycsb("E").value()}}, 1, &why);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::kv::kv_errc::unsupported);
  CHECK(why == "YCSB workload E asks for scans, and the local family has none");
}

TEST_CASE("work without a positive weight, or with a negative one, is refused", "[workload]") {
  for (const core_workload& bad :
       {core_workload{.read = 0, .update = 0}, core_workload{.read = 1, .update = -0.5},
        core_workload{.zipfian_constant = 1}}) {
    std::string why;
    const auto r = run({.deploy = workload_test::local(1ms), .work = {.requests = bad}}, 1, &why);
    REQUIRE_FALSE(r);
    CHECK(r.error() == coact::errc::invalid_argument);
    CHECK(why ==
          "a negative weight, rate or think time, no positive weight, or a bad zipfian constant");
  }
}
