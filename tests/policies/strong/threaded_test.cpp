// The strong policy on the threaded runtime: three replicas in one actor system (their
// member numbers are identities; the directory maps them to actors) serve a client with
// real time and real threads, and its history is linearizable.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "coact/actors/recording_client.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/recorder.hpp"
#include "coact/policies/strong/deployment.hpp"
#include "coact/runtime/actor_system.hpp"

using namespace std::chrono_literals;
namespace strong = coact::policies::strong;
namespace kv = coact::kv;

namespace {

/// Puts, gets and cases of one key, then `done`; counts those that succeeded.
coact::task<void> client_actor(coact::actor_context& self, kv::client* client, int ops,
                               std::atomic<int>* ok, std::atomic<bool>* done) {
  for (int i = 0; i < ops; ++i) {
    const std::string value = "v" + std::to_string(i);
    bool served = false;
    if (i % 3 == 0) {
      served = static_cast<bool>(co_await client->put(self, "k", value));
    } else if (i % 3 == 1) {
      auto r = co_await client->get(self, "k");
      served = r && r.value().value == "v" + std::to_string(i - 1);
    } else {
      auto r = co_await client->cas(self, "k", "v" + std::to_string(i - 2), value);
      served = r && r.value().matched;
    }
    if (served) ++*ok;
  }
  *done = true;
}

}  // namespace

// Proves the policy elects a leader and serves put, get and cas with real threads and
// timers, each answer as a single client expects.
TEST_CASE("strong: serves on the threaded runtime", "[policies][strong]") {
  kv::topology topology{
      .replicas = {{.node = 0, .name = "a"}, {.node = 1, .name = "b"}, {.node = 2, .name = "c"}}};
  auto deployment =
      strong::deploy(topology,
                     {.timing = {.election_timeout_min = 20ms,
                                 .election_timeout_max = 40ms,
                                 .heartbeat_period = 5ms},
                      .client = {.attempts_max = 20, .attempt_timeout = 200ms, .deadline = 2s}})
          .value();
  coact::check::recorder log{std::make_shared<coact::real_clock>()};
  kv::recording_client client{deployment->make_client(0), log, 1};
  std::atomic<int> ok{0};
  std::atomic<bool> done{false};
  constexpr int ops = 30;
  {
    coact::actor_system system{coact::system_config{.shard_count = 2}};
    for (std::uint32_t node = 0; node < 3; ++node) deployment->boot(system, node);
    REQUIRE(system.spawn(&client_actor, static_cast<kv::client*>(&client), ops, &ok, &done));
    for (int waited_ms = 0; !done && waited_ms < 20'000; waited_ms += 10) {
      std::this_thread::sleep_for(10ms);
    }
    system.shutdown();
  }
  REQUIRE(done);
  CHECK(ok == ops);
  auto report = coact::check::check_linearizability(log.snapshot());
  REQUIRE(report);
  CHECK(report.value().outcome == coact::check::verdict::linearizable);
}
