// Writes and consistent reads of the dynamo policy stay linearizable on a network that
// delivers some messages twice, on top of partitions, loss, reordering and leader
// crashes: a write request that arrives again, late, takes effect once.
#include <catch2/catch.hpp>

#include "coact/check/linearizability.hpp"
#include "family.hpp"

using namespace dynamo_test;
namespace check = coact::check;

// Proves a duplicated put or cas is applied at most once: a second copy applied after
// another client's write to its key would bring the older value back, and the history
// would not be linearizable.
SCENARIO("writes and consistent reads stay linearizable when the network duplicates messages",
         "[dynamo][sim]") {
  GIVEN(
      "five replica nodes, four clients writing two keys, 10% of messages delivered twice "
      "with YMMR's delays, partitions, 2% loss, reordering and leader crashes") {
    THEN("in every seed the history of writes and consistent reads is linearizable") {
      std::uint64_t duplicated = 0;
      int leader_crashes = 0;
      const auto all = seeds(20, 201);
      for (const std::uint64_t seed : all) {
        INFO(rerun_hint(seed));
        run_settings settings{.seed = seed};
        settings.links.duplication_probability = 0.1;
        // A few copies take tens of milliseconds: a late copy of a write arrives after
        // other clients' writes to its key.
        settings.links.delay = nsim::delay_distribution::ymmr_other();
        // Two keys, mostly written, every value distinct: a write applied twice shows.
        settings.work.keys = {"a", "b"};
        settings.work.put_share = 0.5;
        settings.work.cas_share = 0.2;
        settings.work.consistent_read_share = 0.3;
        const outcome out = run(settings);
        // Every client finished: no request hung past its deadline, so the history is whole.
        REQUIRE(out.clients_done == 4);
        duplicated += out.duplicated;
        leader_crashes += out.leader_crashes;
        auto report = check::check_linearizability(strong_part(out.history));
        REQUIRE(report);
        INFO(report.value().explanation);
        CHECK(report.value().outcome == check::verdict::linearizable);
      }
      CHECK(duplicated > 0);
      if (all.size() > 1) CHECK(leader_crashes > 0);
    }
  }
}
