// Writes and consistent reads of the dynamo policy are linearizable under partitions,
// loss, reordering and leader crashes; eventually consistent reads are sometimes stale
// there, consistent reads never.
#include <catch2/catch.hpp>

#include <optional>

#include "coact/check/linearizability.hpp"
#include "coact/check/staleness.hpp"
#include "family.hpp"

using namespace dynamo_test;
namespace check = coact::check;

// Proves consistent reads and writes (put, cas) linearizable per key in every seed, while
// partitions, loss, reordering and crashes of partition leaders force failovers.
SCENARIO("writes and consistent reads stay linearizable through faults and failovers",
         "[dynamo][sim]") {
  GIVEN(
      "five replica nodes, four clients, random partitions, 2% loss, reordering, and the "
      "leader of a random partition crashed every 400 ms") {
    THEN("in every seed the history of writes and consistent reads is linearizable") {
      std::size_t failovers = 0;
      std::uint64_t partitions = 0;
      int leader_crashes = 0;
      const auto all = seeds(10);
      for (const std::uint64_t seed : all) {
        INFO(rerun_hint(seed));
        const outcome out = run({.seed = seed});
        // Every client finished: no request hung past its deadline, so the history is whole.
        REQUIRE(out.clients_done == 4);
        partitions += out.partitions_started;
        leader_crashes += out.leader_crashes;
        // More (partition, term) pairs led than partitions: some partition changed leaders.
        failovers += out.leaders_seen.size() - out.partition_count;
        auto report = check::check_linearizability(strong_part(out.history));
        REQUIRE(report);
        INFO(report.value().explanation);
        CHECK(report.value().outcome == check::verdict::linearizable);
      }
      // Over all the seeds (one replayed seed need not have them): the faults happened.
      if (all.size() > 1) {
        CHECK(partitions > 0);
        CHECK(leader_crashes > 0);
        CHECK(failovers > 0);
      }
    }
  }
}

namespace {

/// The staleness of a faulty run on two keys (reads often follow a write of their key
/// closely) over PBS's YMMR delays (a few replication messages take tens of milliseconds).
check::staleness_report staleness_run(std::uint64_t seed) {
  run_settings settings{.seed = seed};
  settings.links.delay = nsim::delay_distribution::ymmr_other();
  settings.work.keys = {"a", "b"};
  auto report = check::measure_staleness(run(settings).history);
  REQUIRE(report);
  return std::move(report).value();
}

}  // namespace

// Proves consistent reads never miss a write acknowledged before they began, and every read
// returns a value some write wrote.
SCENARIO("consistent reads are never stale", "[dynamo][sim]") {
  GIVEN("faulty runs on two keys, over a network with YMMR's delays") {
    THEN("in every seed no consistent read is stale") {
      for (const std::uint64_t seed : seeds(10, 101)) {
        INFO(rerun_hint(seed));
        const auto report = staleness_run(seed);
        // No bound is set, so a read of a value no write wrote is the only violation.
        CHECK(report.valid());
        std::size_t consistent_reads = 0;
        for (const auto& r : report.reads) {
          if (r.read.process >= eventual_base) continue;
          ++consistent_reads;
          CHECK_FALSE(r.stale());
        }
        // Needs consistent reads to have something to check; a run makes hundreds.
        CHECK(consistent_reads > 0);
      }
    }
  }
}

// Shows eventually consistent reads are stale there, and measures how often.
SCENARIO("eventually consistent reads are sometimes stale", "[dynamo][sim][phenomenon]") {
  GIVEN("the same faulty runs") {
    THEN("some seed's eventually consistent reads miss acknowledged writes") {
      // Eventually consistent reads were stale in 5 of seeds 101-110 (about 1 in 2): 20 seeds
      // miss them with a probability near 1e-6.
      std::optional<std::uint64_t> caught;
      for (const std::uint64_t seed : search_seeds(20, 101)) {
        INFO(rerun_hint(seed));
        const auto report = staleness_run(seed);
        std::size_t eventual_reads = 0;
        std::size_t stale = 0;
        for (const auto& r : report.reads) {
          if (r.read.process < eventual_base) continue;
          ++eventual_reads;
          if (r.stale()) ++stale;
        }
        if (stale == 0) continue;
        caught = seed;
        WARN("stale eventually consistent reads: " << stale << " of " << eventual_reads << " in "
                                                   << rerun_hint(seed));
        break;
      }
      REQUIRE(caught);
    }
  }
}
