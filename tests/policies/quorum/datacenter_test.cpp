// Levels across datacenters: with the two datacenters cut apart, LOCAL_QUORUM keeps
// serving on both sides, while EACH_QUORUM and QUORUM fail with the level's error.
#include <catch2/catch.hpp>

#include <string>
#include <system_error>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/quorum/unmet_level.hpp"
#include "family.hpp"

using namespace quorum_test;
using coact::check::event_type;
using quorum::level;

namespace {

/// What one request at an explicit level did: its error, or none.
struct attempt {
  level at = level::one;
  bool write = false;
  std::error_code error;
};

/// Writes and reads key "k0" at each level in turn through `c`.
coact::task<void> try_levels(coact::actor_context& self, quorum::client* c,
                             std::vector<attempt>* out) {
  for (attempt& a : *out) {
    if (a.write) {
      auto r = co_await c->put(self, "k0", "v", a.at);
      if (!r) a.error = r.error();
    } else {
      auto r = co_await c->get(self, "k0", a.at);
      if (!r) a.error = r.error();
    }
  }
}

const std::error_condition level_unmet{static_cast<int>(coact::kv::kv_errc::level_unmet),
                                       coact::kv::kv_category()};

}  // namespace

SCENARIO("LOCAL_QUORUM stays available when the datacenters are cut apart",
         "[policies][quorum][sim]") {
  GIVEN("RF {dc1: 3, dc2: 3}, two clients in each datacenter, dc2 cut off from dc1") {
    THEN("LOCAL_QUORUM serves every request on both sides; EACH_QUORUM and QUORUM fail") {
      for (const std::uint64_t seed : seeds(10)) {
        INFO(rerun_hint(seed));
        auto made = workload::simulation::make(
            {.deploy = deploy({}),
             .nodes = {.replicas = {"dc1", "dc1", "dc1", "dc2", "dc2", "dc2"},
                       .clients = {"dc1", "dc1", "dc2", "dc2"},
                       .links = jittery_links(0)},
             .faults =
                 workload::nemesis{}.partition(time_point{}, 1h, nsim::partition::split({"dc2"}))},
            seed);
        REQUIRE(made);
        workload::simulation& s = *made.value();
        const quorum::levels local{.read = level::local_quorum, .write = level::local_quorum};
        REQUIRE(s.start(mix(local, 25)));
        s.run_for(2s);
        const auto served = s.history();
        std::size_t ok = 0;
        for (const auto& e : served) {
          if (e.type == event_type::invoke) continue;
          CHECK(e.type == event_type::ok);
          ++ok;
        }
        CHECK(ok == s.client_count() * 25);

        // Every level from dc1, per request through one client.
        auto dc1 = policy(s).make_quorum_client(s.client(0), local, "dc1");
        std::vector<attempt> attempts{
            {level::local_quorum, true, {}}, {level::local_quorum, false, {}},
            {level::local_one, false, {}},   {level::each_quorum, true, {}},
            {level::each_quorum, false, {}}, {level::quorum, true, {}},
            {level::all, false, {}}};
        REQUIRE(s.world().system(s.client(0))->spawn(&try_levels, dc1.get(), &attempts));
        // Recorded clients at EACH_QUORUM on both sides.
        REQUIRE(s.start(mix({.read = level::each_quorum, .write = level::each_quorum}, 4)));
        s.run_for(3s);
        CHECK_FALSE(attempts[0].error);
        CHECK_FALSE(attempts[1].error);
        CHECK_FALSE(attempts[2].error);
        for (std::size_t i = 3; i < attempts.size(); ++i) {
          INFO(quorum::to_string(attempts[i].at) << (attempts[i].write ? " write" : " read"));
          CHECK(attempts[i].error == level_unmet);
        }
        CHECK(attempts[3].error.message() ==
              "EACH_QUORUM not met: 2 of 4 required replicas answered");
        CHECK(attempts[4].error.message() ==
              "EACH_QUORUM not met: 2 of 4 required replicas answered");
        CHECK(attempts[5].error.message() == "QUORUM not met: 3 of 4 required replicas answered");
        CHECK(attempts[6].error.message() == "ALL not met: 3 of 6 required replicas answered");

        // An unmet write may have taken effect (info); an unmet read did nothing (fail).
        const auto h = s.history();
        std::size_t unmet = 0;
        for (std::size_t i = served.size(); i < h.size(); ++i) {
          if (h[i].type == event_type::invoke) continue;
          ++unmet;
          CHECK(h[i].type ==
                (h[i].f == coact::check::op_kind::write ? event_type::info : event_type::fail));
        }
        CHECK(unmet == s.client_count() * 4);
      }
    }
  }
}
