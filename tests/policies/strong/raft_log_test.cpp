// A Raft node's term, vote and log survive a crash of its simulated disk up to what was
// synced, with replaced entries replaced after the crash too.
#include "coact/policies/strong/raft_log.hpp"

#include <catch2/catch.hpp>

#include "coact/actors/log_storage.hpp"
#include "coact/runtime/sim/disk.hpp"

namespace strong = coact::policies::strong;
namespace sim = coact::sim;

namespace {

strong::log_entry entry(std::uint64_t term, std::string value) {
  return {.term = term,
          .command = {.what = strong::command::kind::put,
                      .client = 1,
                      .sequence = term,
                      .key = "k",
                      .value = std::move(value)}};
}

strong::raft_log open(sim::disk& d) {
  auto log = strong::raft_log::open(coact::kv::sim_file(d, "raft.log"));
  REQUIRE(log);
  return std::move(log).value();
}

}  // namespace

// Proves what was synced (term, vote, entries, a replacement of entries) reads back after
// a crash, and what was not synced is gone.
TEST_CASE("raft log: synced state survives a crash, unsynced state does not",
          "[policies][strong]") {
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
    const strong::log_entry replacement[] = {entry(3, "B")};
    REQUIRE(log.replace_from(2, replacement));
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
TEST_CASE("raft log: a torn tail is cut off", "[policies][strong]") {
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
TEST_CASE("raft log: without storage the log is volatile", "[policies][strong]") {
  auto log = strong::raft_log::open(nullptr);
  REQUIRE(log);
  REQUIRE(log.value().append(entry(1, "a")));
  CHECK(log.value().last_index() == 1);
  REQUIRE(log.value().sync());
}
