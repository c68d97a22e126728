// Counters: each shard counts its own deliveries, mailbox high-water mark, timed-out asks,
// dead letters, refusals, spawns and stops; the system total sums them.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Lets its mailbox fill until Go, then answers Get with the number of Adds it took.
coact::task<void> gated(coact::actor_context& self) {
  (void)co_await self.receive<coact::test::Go>(wait_max);
  std::int64_t adds = 0;
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Add>()) ++adds;
    if (e.is<coact::test::Get>()) {
      coact::message<coact::test::Total> t;
      t->setValue(adds);
      self.reply(e, std::move(t));
    }
  }
}

/// Keeps every request without answering it.
coact::task<void> silent(coact::actor_context& self) {
  std::vector<coact::envelope> held;
  for (;;) held.push_back(co_await self.receive());
}

}  // namespace

// Proves messages_delivered and mailbox_high_water count per shard: traffic to shard 1
// moves shard 1's counters only.
TEST_CASE("deliveries and the mailbox high-water mark are counted per shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &gated);
  REQUIRE(target);
  for (int i = 0; i < 10; ++i) REQUIRE(system.tell(target.value(), add(i)));
  REQUIRE(system.tell(target.value(), empty<coact::test::Go>()));
  auto r =
      system.ask_blocking<coact::test::Total>(target.value(), empty<coact::test::Get>(), wait_max);
  REQUIRE(r);
  CHECK(r.value().get<coact::test::Total>().getValue() == 10);

  const auto one = system.counters(1);
  const auto zero = system.counters(0);
  // Ten Adds, Go, the Get and its reply, at least.
  CHECK(one.messages_delivered >= 13);
  // The Adds and Go were all queued before the actor took any.
  CHECK(one.mailbox_high_water == 11);
  CHECK(zero.messages_delivered == 0);
  CHECK(zero.mailbox_high_water == 0);
  CHECK(one.actors_spawned == 2);   // the target and ask_blocking's asker
  CHECK(zero.actors_spawned == 1);  // the registry
}

// Proves asks_timed_out is counted on the asker's shard.
TEST_CASE("timed-out asks are counted on the asker's shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &silent);
  REQUIRE(target);
  auto r = ask_from<coact::test::Pong>(system, 0, target.value(), ping(), 20ms);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::timeout);
  CHECK(system.counters(0).asks_timed_out == 1);
  CHECK(system.counters(1).asks_timed_out == 0);
  CHECK(system.counters().asks_timed_out == 1);
}

// Proves dead letters, refusals, spawns and stops are counted on the shard where they
// happen, and that the system total sums the shards (and takes the highest high-water mark).
TEST_CASE("the system counters are the sum of the shards' counters", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto full = system.spawn(coact::spawn_options{.shard = 0, .mailbox_capacity = 1}, &gated);
  auto doomed = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(full);
  REQUIRE(doomed);
  REQUIRE(await(watch(system, doomed.value(), crash("boom"))).code == coact::errc::actor_failed);
  REQUIRE(system.tell(doomed.value(), add(1)));
  REQUIRE_FALSE(system.ask_blocking<coact::test::Pong>(doomed.value(), ping(), wait_max));
  REQUIRE(system.tell(full.value(), add(1)));
  REQUIRE(system.tell(full.value(), add(2)));  // refused: the mailbox holds one
  // Sent after the tells through shard 0's inbox: once it is refused, so was the tell.
  auto refused = ask_from<coact::test::Pong>(system, 1, full.value(), ping());
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == coact::errc::overloaded);

  // Counters only grow, and actors finishing right now may still move them: the total
  // must lie between the sums of the shards taken just before and just after it.
  const auto zero = system.counters(0);
  const auto one = system.counters(1);
  const auto total = system.counters();
  const auto zero_after = system.counters(0);
  const auto one_after = system.counters(1);
  CHECK(one.dead_letters == 2);
  CHECK(zero.dead_letters == 0);
  CHECK(zero.mailbox_rejected == 2);
  CHECK(one.mailbox_rejected == 0);
  CHECK(zero.mailbox_high_water == 1);
  CHECK(one.actors_stopped >= 1);
  const auto between = [](std::uint64_t t, std::uint64_t before, std::uint64_t after) {
    return before <= t && t <= after;
  };
#define COACT_TEST_SUMS(field) \
  CHECK(between(total.field, zero.field + one.field, zero_after.field + one_after.field))
  COACT_TEST_SUMS(messages_delivered);
  COACT_TEST_SUMS(asks_timed_out);
  COACT_TEST_SUMS(dead_letters);
  COACT_TEST_SUMS(mailbox_rejected);
  COACT_TEST_SUMS(actors_spawned);
  COACT_TEST_SUMS(actors_stopped);
#undef COACT_TEST_SUMS
  CHECK(total.mailbox_high_water >= std::max(zero.mailbox_high_water, one.mailbox_high_water));
  CHECK(total.mailbox_high_water <=
        std::max(zero_after.mailbox_high_water, one_after.mailbox_high_water));
}
