// A replication group member's term, vote and log survive a crash of its simulated disk up to what
// was synced, with replaced entries replaced after the crash too.
#include "coact/actors/replication/term_log.hpp"

#include <catch2/catch.hpp>

#include "coact/actors/log_storage.hpp"
#include "coact/runtime/sim/disk.hpp"

namespace replication = coact::replication;
namespace sim = coact::sim;

namespace {

replication::entry entry(std::uint64_t term, std::string value) {
  return {.term = term,
          .command = {.what = replication::command::kind::put,
                      .client = 1,
                      .sequence = term,
                      .key = "k",
                      .value = std::move(value)}};
}

replication::term_log open(sim::disk& d) {
  auto log = replication::term_log::open(coact::kv::sim_file(d, "raft.log"));
  REQUIRE(log);
  return std::move(log).value();
}

}  // namespace

// Proves what was synced (term, vote, entries, a truncation and what replaced it) reads back after
// a crash, and what was not synced is gone.
TEST_CASE("term log: synced state survives a crash, unsynced state does not",
          "[actors][replication]") {
  sim::disk d;
  {
    auto log = open(d);
    CHECK(log.term() == 0);
    CHECK_FALSE(log.vote());
    CHECK(log.last_index() == 0);
    CHECK(log.term_at(0) == 0);
    REQUIRE(log.set_term(2, 5));
    REQUIRE(log.append(entry(1, "a")));
    REQUIRE(log.append(entry(2, "b")));
    REQUIRE(log.append(entry(2, "c")));
    REQUIRE(log.truncate_after(1));
    REQUIRE(log.append(entry(3, "B")));
    CHECK(log.dirty());
    REQUIRE(log.sync());
    CHECK_FALSE(log.dirty());
    REQUIRE(log.set_term(4, std::nullopt));
    REQUIRE(log.append(entry(4, "lost")));
  }
  coact::prng random{1};
  d.crash(random, /*torn_writes=*/false);

  auto log = open(d);
  CHECK(log.term() == 2);
  CHECK(log.vote() == 5u);
  REQUIRE(log.last_index() == 2);
  CHECK(log.at(1).command.value == "a");
  CHECK(log.at(2).command.value == "B");
  CHECK(log.last_term() == 3);
}

// Proves a crash that tears the unsynced tail anywhere leaves a log that opens, with the
// synced state intact.
TEST_CASE("term log: a torn tail is cut off", "[actors][replication]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    sim::disk d;
    {
      auto log = open(d);
      REQUIRE(log.set_term(1, 0));
      REQUIRE(log.append(entry(1, "a")));
      REQUIRE(log.sync());
      REQUIRE(log.append(entry(1, "b")));
      REQUIRE(log.set_term(2, std::nullopt));
    }
    coact::prng random{seed};
    d.crash(random, /*torn_writes=*/true);
    auto log = open(d);
    CHECK(log.term() >= 1);
    REQUIRE(log.last_index() >= 1);
    CHECK(log.at(1).command.value == "a");
  }
}

// Proves a log without storage keeps its state in memory only.
TEST_CASE("term log: without storage the log is volatile", "[actors][replication]") {
  auto log = replication::term_log::open(nullptr);
  REQUIRE(log);
  REQUIRE(log.value().append(entry(1, "a")));
  CHECK(log.value().last_index() == 1);
  REQUIRE(log.value().sync());
}
