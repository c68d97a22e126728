// Writes and consistent reads of the dynamo policy are linearizable under partitions,
// loss, reordering and leader crashes; eventually consistent reads are sometimes stale
// there, consistent reads never.
#include <catch2/catch.hpp>

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

// Proves eventually consistent reads do return stale values under faults (measured, and
// reported as a fraction), and consistent reads never miss a write acknowledged before
// they began.
SCENARIO("eventually consistent reads may be stale, consistent reads never are", "[dynamo][sim]") {
  GIVEN("the same faulty runs on two keys, over a network with YMMR's delays") {
    THEN("some eventually consistent reads are stale and no consistent read is") {
      std::size_t eventual_reads = 0;
      std::size_t stale_eventual_reads = 0;
      std::size_t consistent_reads = 0;
      std::size_t stale_seeds = 0;
      const auto all = seeds(10, 101);
      for (const std::uint64_t seed : all) {
        INFO(rerun_hint(seed));
        run_settings settings{.seed = seed};
        // PBS's YMMR delays: a few replication messages take tens of milliseconds.
        settings.links.delay = nsim::delay_distribution::ymmr_other();
        // Two keys: reads often follow a write of their key closely.
        settings.work.keys = {"a", "b"};
        const outcome out = run(settings);
        auto report = check::measure_staleness(out.history);
        REQUIRE(report);
        // Every read returned a value some write wrote (no bound is set, so nothing else
        // is a violation).
        CHECK(report.value().valid());
        std::size_t stale_here = 0;
        for (const auto& r : report.value().reads) {
          if (r.read.process >= eventual_base) {
            ++eventual_reads;
            if (r.stale()) ++stale_here;
          } else {
            ++consistent_reads;
            CHECK_FALSE(r.stale());
          }
        }
        stale_eventual_reads += stale_here;
        if (stale_here > 0) ++stale_seeds;
      }
      const double fraction = eventual_reads == 0 ? 0
                                                  : static_cast<double>(stale_eventual_reads) /
                                                        static_cast<double>(eventual_reads);
      WARN("stale eventually consistent reads: "
           << stale_eventual_reads << " of " << eventual_reads << " (" << fraction * 100
           << "%), in " << stale_seeds << " of " << all.size()
           << " seeds; consistent reads: " << consistent_reads << ", none stale");
      CHECK(consistent_reads > 0);
      // One replayed seed need not be stale; over all of them some reads must be.
      if (all.size() > 1) CHECK(stale_eventual_reads > 0);
    }
  }
}
