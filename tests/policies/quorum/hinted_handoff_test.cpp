// Hinted handoff: a replica that was down while writes happened receives them from the
// coordinators' hints once it is back, without any read (no read repair can help it).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "family.hpp"

using namespace quorum_test;
using quorum::level;

namespace {

const std::vector<std::string> keys{"k0", "k1", "k2"};

coact::kv::version version_of(const std::optional<probe_result>& p) {
  REQUIRE(p);
  REQUIRE(p->answered);
  return p->value ? p->value->version : coact::kv::version{};
}

}  // namespace

SCENARIO("a replica that missed writes catches up from hints", "[policies][quorum][sim]") {
  GIVEN("writes only, at QUORUM, while replica 2 is down from 30 ms to 3.05 s") {
    THEN("after its restart replica 2 holds each key's newest write") {
      for (const std::uint64_t seed : seeds(15)) {
        INFO(rerun_hint(seed));
        const quorum::levels levels{.read = level::quorum, .write = level::quorum};
        const time_point restart{3050ms};
        // Hints replay every 200 ms: at 3 s (to the dead replica) and 3.2 s, not while the
        // probe at the restart reads what replica 2 came back with. Every third request
        // goes to replica 2's dead coordinator and times out: the workload ends by 2 s.
        auto made = workload::simulation::make(
            {.deploy = deploy({.defaults = levels, .client_timeout = 200ms, .hint_interval = 200ms},
                              true),
             .nodes = {.links = jittery_links(0.02)},
             .faults = workload::nemesis{}.crash(time_point{30ms}, restart - time_point{30ms}, 2)},
            seed);
        REQUIRE(made);
        workload::simulation& s = *made.value();
        REQUIRE(s.start(mix(levels, 20, 0, keys.size())));
        std::vector<std::shared_ptr<std::optional<probe_result>>> at_restart;
        std::vector<std::vector<std::shared_ptr<std::optional<probe_result>>>> at_end(3);
        for (const std::string& key : keys) {
          at_restart.push_back(probe_at(s, restart, 2, key));
          for (std::size_t r = 0; r < 3; ++r) {
            at_end[r].push_back(probe_at(s, time_point{4s}, r, key));
          }
        }
        s.run_for(5s);

        // Every write of the workload finished before the restart.
        const auto h = s.history();
        REQUIRE(!h.empty());
        CHECK(h.back().time_ns < restart.since_epoch.count());
        int caught_up = 0;
        int remembered = 0;
        for (std::size_t k = 0; k < keys.size(); ++k) {
          INFO("key " << keys[k]);
          const auto newest = std::max(version_of(*at_end[0][k]), version_of(*at_end[1][k]));
          CHECK(newest.counter > 0);
          CHECK(version_of(*at_end[2][k]) == newest);
          if (version_of(*at_restart[k]) < newest) ++caught_up;
          if (version_of(*at_restart[k]).counter > 0) ++remembered;
        }
        // Its durable log kept what it had acknowledged before the crash.
        CHECK(remembered > 0);
        // It came back without those writes: the hints, not its log, brought them.
        CHECK(caught_up > 0);
      }
    }
  }
}
