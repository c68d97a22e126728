// Scheduling: how many messages an actor takes per turn decides how busy actors on one
// shard interleave.
#include <catch2/catch.hpp>

#include <string>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

constexpr int messages_each = 10;

/// Waits for Go, then takes `count` messages, appending its name to the shard-local log
/// for each one. The log is only touched on this shard's thread.
coact::task<void> busy(coact::actor_context& self, char name, std::string* log, slot<void> done) {
  (void)co_await self.receive<coact::test::Go>(wait_max);
  for (int i = 0; i < messages_each; ++i) {
    auto e = co_await self.receive_for(wait_max);
    if (!e) break;
    log->push_back(name);
  }
  done->set_value();
}

/// Wakes both in one turn, so both are ready, with full mailboxes, at the same time.
coact::task<void> starter(coact::actor_context& self, coact::actor_ref a, coact::actor_ref b) {
  self.tell(a, empty<coact::test::Go>());
  self.tell(b, empty<coact::test::Go>());
  co_return;
}

/// Runs two busy actors on shard 0 of `system` and returns the order they took messages.
std::string race(coact::actor_system& system, std::uint32_t per_turn_a, std::uint32_t per_turn_b) {
  std::string log;
  auto done_a = make_slot<void>();
  auto done_b = make_slot<void>();
  auto fa = done_a->get_future();
  auto fb = done_b->get_future();
  auto a = system.spawn(coact::spawn_options{.shard = 0, .messages_per_turn = per_turn_a}, &busy,
                        'A', &log, done_a);
  auto b = system.spawn(coact::spawn_options{.shard = 0, .messages_per_turn = per_turn_b}, &busy,
                        'B', &log, done_b);
  REQUIRE(a);
  REQUIRE(b);
  for (int i = 0; i < messages_each; ++i) {
    REQUIRE(system.tell(a.value(), add(i)));
    REQUIRE(system.tell(b.value(), add(i)));
  }
  // Spawned after the Adds were sent from this thread: they are all queued before Go.
  REQUIRE(system.spawn(coact::spawn_options{.shard = 0}, &starter, a.value(), b.value()));
  await(fa);
  await(fb);
  return log;
}

}  // namespace

// Proves that with messages_per_turn = 1 two busy actors on one shard take turns message
// by message.
TEST_CASE("with one message per turn two busy actors on a shard interleave", "[runtime]") {
  coact::actor_system system{{.shard_count = 1, .messages_per_turn = 1}};
  CHECK(race(system, 0, 0) == "ABABABABABABABABABAB");
}

// Proves the contrast: with the default turn length each actor drains its mailbox in one
// turn, so the same two actors do not interleave.
TEST_CASE("with the default turn length a busy actor drains its mailbox in one turn", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  CHECK(race(system, 0, 0) == "AAAAAAAAAABBBBBBBBBB");
}

// Proves spawn_options.messages_per_turn overrides the system's setting per actor: A takes
// three messages per turn, B one.
TEST_CASE("messages_per_turn can be set per actor", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  // Turns: A takes Go and two Adds, B takes Go, A three, B one, A three, B one, A its last
  // two, then B alone.
  CHECK(race(system, 3, 1) == "AAAAABAAABAABBBBBBBB");
}
