// Idling: a system with nothing to do parks its shard threads and uses no CPU.
#include <catch2/catch.hpp>

#include <ctime>
#include <thread>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

std::chrono::nanoseconds process_cpu_time() {
  timespec t{};
  REQUIRE(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0);
  return std::chrono::seconds{t.tv_sec} + std::chrono::nanoseconds{t.tv_nsec};
}

}  // namespace

// Proves that once its work is done an idle system (two shards, an actor waiting in
// receive, a pending far-off timer) costs well under a tenth of one core.
TEST_CASE("an idle system uses no CPU", "[runtime][slow]") {
  coact::actor_system system{{.shard_count = 2}};
  auto a = system.spawn(coact::spawn_options{.shard = 0}, &responder);
  auto b = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(a);
  REQUIRE(b);
  // Some work first, leaving ask deadlines armed on both shards' timers.
  for (int i = 0; i < 100; ++i) {
    REQUIRE(ask_from<coact::test::Pong>(system, 0, b.value(), ping(), 60s));
    REQUIRE(ask_from<coact::test::Pong>(system, 1, a.value(), ping(), 60s));
  }
  // Settle: shards spin for spin_before_park (50 µs) before they park.
  std::this_thread::sleep_for(50ms);
  const auto cpu_before = process_cpu_time();
  std::this_thread::sleep_for(300ms);
  const auto used = process_cpu_time() - cpu_before;
  CAPTURE(std::chrono::duration_cast<std::chrono::microseconds>(used).count());
  CHECK(used < 30ms);
  // Still responsive after parking.
  CHECK(system.ask_blocking<coact::test::Pong>(a.value(), ping(), wait_max));
}
