// Round trips, measured on links of exactly 1 ms with one replica 20 ms away: a request
// costs one client-coordinator round trip plus the round trip of the level's slowest
// needed replica, and returns as soon as its level is met, while the far replica still
// gets the write later (so partial quorums really are stale for a while).
#include <catch2/catch.hpp>

#include <vector>

#include "family.hpp"

using namespace quorum_test;
using quorum::level;

namespace {

/// One request at an explicit level.
struct step {
  level at = level::one;
  bool write = false;
  coact::duration took{0};
  bool ok = false;
};

/// Runs the steps in order through `c`, timing each on this node's clock; after the first
/// it pauses 100 ms (the probes watch the far replica meanwhile).
coact::task<void> timed_steps(coact::actor_context& self, quorum::client* c,
                              std::vector<step>* steps) {
  for (std::size_t i = 0; i < steps->size(); ++i) {
    step& s = (*steps)[i];
    const auto start = self.now();
    if (s.write) {
      s.ok = static_cast<bool>(co_await c->put(self, "k", "v" + std::to_string(i), s.at));
    } else {
      s.ok = static_cast<bool>(co_await c->get(self, "k", s.at));
    }
    s.took = self.now() - start;
    if (i == 0) co_await self.sleep(100ms);
  }
}

}  // namespace

SCENARIO("a request costs the round trip of its level's slowest needed replica",
         "[policies][quorum][sim]") {
  GIVEN("1 ms links, replica 2 at 20 ms from the other replicas, a client of replica 0") {
    auto made = workload::simulation::make(
        {.deploy = deploy({}),
         .nodes = {.clients = {"dc1"},
                   .links = {.delay = nsim::delay_distribution::constant(1).value()}}},
        1);
    REQUIRE(made);
    workload::simulation& s = *made.value();
    const nsim::link_settings far{.delay = nsim::delay_distribution::constant(20).value()};
    for (const coact::sim::node_id near : {s.replica(0), s.replica(1)}) {
      REQUIRE(s.network().set_link(near, s.replica(2), far));
      REQUIRE(s.network().set_link(s.replica(2), near, far));
    }
    auto client = policy(s).make_quorum_client(s.replica(0), {});
    std::vector<step> steps{{level::one, true},     {level::two, true},   {level::quorum, true},
                            {level::all, true},     {level::three, true}, {level::one, false},
                            {level::quorum, false}, {level::two, false},  {level::all, false}};
    REQUIRE(s.world().system(s.client(0))->spawn(&timed_steps, client.get(), &steps));
    const auto early = probe_at(s, time_point{5ms}, 2, "k");
    const auto later = probe_at(s, time_point{50ms}, 2, "k");
    s.run_for(1s);

    THEN("ONE costs the client's round trip only: the coordinator's own replica answers") {
      CHECK(steps[0].ok);
      CHECK(steps[0].took == 2ms);
      CHECK(steps[5].took == 2ms);
    }
    THEN("TWO and QUORUM add the near replica's round trip, ALL and THREE the far one's") {
      for (const step& s : steps) CHECK(s.ok);
      CHECK(steps[1].took == 4ms);
      CHECK(steps[2].took == 4ms);
      CHECK(steps[3].took == 42ms);
      CHECK(steps[4].took == 42ms);
      CHECK(steps[6].took == 4ms);
      CHECK(steps[7].took == 4ms);
      CHECK(steps[8].took == 42ms);
    }
    THEN("the write at ONE reached the far replica after it was acknowledged") {
      REQUIRE(*early);
      CHECK((*early)->answered);
      CHECK_FALSE((*early)->value);
      REQUIRE(*later);
      REQUIRE((*later)->value);
      CHECK((*later)->value->value == "v0");
    }
  }
}
