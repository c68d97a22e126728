// Asks: request/response with a deadline, and each way an ask can fail (timeout,
// actor_gone, malformed_message, no_reply, an error reply), from outside and between actors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Holds the first Ping it is asked until it receives Go, then answers it and tells the
/// asker Done (after the reply, so FIFO delivers the reply first).
coact::task<void> held_responder(coact::actor_context& self) {
  auto request = co_await self.receive<coact::test::Ping>(wait_max);
  if (!request) co_return;
  auto go = co_await self.receive<coact::test::Go>(wait_max);
  if (!go) co_return;
  const coact::actor_ref asker = request.value().sender();
  coact::message<coact::test::Pong> pong;
  pong->setN(request.value().get<coact::test::Ping>().getN());
  self.reply(request.value(), std::move(pong));
  self.tell(asker, empty<coact::test::Done>());
  (void)co_await self.receive();
}

struct late_reply_report {
  std::error_code ask_error;
  coact::shard_counters before;
  coact::shard_counters after;
};

/// Asks `target` with a short deadline, lets it answer late, waits until the late reply
/// has been handled (the target's Done follows it), and publishes what its shard counted.
coact::task<void> impatient_asker(coact::actor_context& self, coact::actor_ref target,
                                  slot<late_reply_report> out) {
  late_reply_report report;
  report.before = self.system().counters(self.shard());
  auto r = co_await self.ask<coact::test::Pong>(target, ping(7), 20ms);
  report.ask_error = r ? std::error_code{} : r.error();
  self.tell(target, empty<coact::test::Go>());
  (void)co_await self.receive<coact::test::Done>(wait_max);
  report.after = self.system().counters(self.shard());
  out->set_value(report);
}

/// Answers every ask with the wrong type (Total instead of Pong).
coact::task<void> wrong_replier(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    self.reply(e, coact::message<coact::test::Total>{});
  }
}

/// Drops every request without answering it.
coact::task<void> dropper(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
  }
}

/// Answers every ask with reply_error(invalid_argument); a second answer must be refused
/// (a dead letter), and it publishes the reason the dead-letter log gives for it.
coact::task<void> error_replier(coact::actor_context& self, slot<std::error_code> second) {
  coact::envelope e = co_await self.receive();
  self.reply_error(e, coact::errc::invalid_argument);
  self.reply(e, coact::message<coact::test::Pong>{});
  const auto letters = self.system().dead_letters();
  second->set_value(letters.empty() ? std::error_code{} : letters.back().reason);
  for (;;) (void)co_await self.receive();
}

/// Tries ask_blocking from inside an actor and publishes the outcome.
coact::task<void> blocking_from_actor(coact::actor_context& self, coact::actor_ref target,
                                      slot<std::error_code> out) {
  auto r = self.system().ask_blocking<coact::test::Pong>(target, ping(), 1s);
  out->set_value(r ? std::error_code{} : r.error());
  co_return;
}

}  // namespace

// Proves asks between actors get their replies, on the same shard and across shards.
TEST_CASE("an ask from an actor gets its reply on the same and on another shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  for (std::uint32_t from : {1u, 0u}) {
    auto r = ask_from<coact::test::Pong>(system, from, target.value(), ping(10 + from));
    REQUIRE(r);
    CHECK(r.value().get<coact::test::Pong>().getN() == 11 + from);
    CHECK(r.value().sender() == target.value());
    CHECK(r.value().kind() == coact::message_kind::reply);
  }
}

// Proves an ask whose deadline passes fails with timeout, and that the reply arriving
// afterwards becomes a dead letter; both are counted on the asker's shard.
TEST_CASE("an ask past its deadline fails with timeout and the late reply is a dead letter",
          "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &held_responder);
  REQUIRE(target);
  auto out = make_slot<late_reply_report>();
  auto report_future = out->get_future();
  auto asker =
      system.spawn(coact::spawn_options{.shard = 0}, &impatient_asker, target.value(), out);
  REQUIRE(asker);
  const late_reply_report report = await(report_future);

  CHECK(report.ask_error == coact::errc::timeout);
  CHECK(report.after.asks_timed_out == report.before.asks_timed_out + 1);
  CHECK(report.after.dead_letters == report.before.dead_letters + 1);
  CHECK(system.counters().asks_timed_out == 1);

  const auto letters = system.dead_letters();
  const auto late = std::find_if(letters.begin(), letters.end(), [&](const auto& d) {
    return d.kind == coact::message_kind::reply && d.target == asker.value();
  });
  REQUIRE(late != letters.end());
  CHECK(late->sender == target.value());
  CHECK(late->type_id == capnp::typeId<coact::test::Pong>());
  CHECK(late->reason == coact::errc::timeout);
}

// Proves ask_blocking honours its deadline too.
TEST_CASE("ask_blocking fails with timeout when no reply comes in time", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto target = system.spawn(&held_responder);
  REQUIRE(target);
  const auto start = std::chrono::steady_clock::now();
  auto r = system.ask_blocking<coact::test::Pong>(target.value(), ping(), 30ms);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::timeout);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
}

// Proves an ask to an actor that has stopped fails with actor_gone, whether the asker is
// on the target's shard (refused at once) or on another (answered by the target's shard).
TEST_CASE("an ask to a stopped actor fails with actor_gone", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  auto down = watch(system, target.value(), empty<coact::test::Quit>());
  REQUIRE(await(down).normal());

  auto same = system.ask_blocking<coact::test::Pong>(target.value(), ping(), wait_max);
  REQUIRE_FALSE(same);
  CHECK(same.error() == coact::errc::actor_gone);
  auto other = ask_from<coact::test::Pong>(system, 0, target.value(), ping());
  REQUIRE_FALSE(other);
  CHECK(other.error() == coact::errc::actor_gone);
}

// Proves a reply of another type than the one asked for fails with malformed_message.
TEST_CASE("a reply of the wrong type fails with malformed_message", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &wrong_replier);
  REQUIRE(target);
  auto r = system.ask_blocking<coact::test::Pong>(target.value(), ping(), wait_max);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::malformed_message);
  auto between = ask_from<coact::test::Pong>(system, 0, target.value(), ping());
  REQUIRE_FALSE(between);
  CHECK(between.error() == coact::errc::malformed_message);
  // Asking for the type it does send succeeds.
  auto right = system.ask_blocking<coact::test::Total>(target.value(), ping(), wait_max);
  CHECK(right);
}

// Proves a request dropped without a reply fails at once with no_reply, not at its deadline.
TEST_CASE("a request dropped without a reply fails with no_reply", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &dropper);
  REQUIRE(target);
  const auto start = std::chrono::steady_clock::now();
  auto r = ask_from<coact::test::Pong>(system, 0, target.value(), ping(), 60s);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::no_reply);
  CHECK(std::chrono::steady_clock::now() - start < 30s);
}

// Proves reply_error reaches the asker as its error, and an ask is answered at most once.
TEST_CASE("reply_error carries the error and a second answer is refused", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto second = make_slot<std::error_code>();
  auto second_future = second->get_future();
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &error_replier, second);
  REQUIRE(target);
  auto r = ask_from<coact::test::Pong>(system, 0, target.value(), ping());
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::invalid_argument);
  CHECK(await(second_future) == coact::errc::invalid_argument);
}

// Proves ask_blocking refuses to block a shard thread.
TEST_CASE("ask_blocking from inside an actor is refused", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto target = system.spawn(&responder);
  REQUIRE(target);
  auto out = make_slot<std::error_code>();
  auto error = out->get_future();
  REQUIRE(system.spawn(&blocking_from_actor, target.value(), out));
  CHECK(await(error) == coact::errc::invalid_argument);
}

// Proves an ask whose target fails while handling it fails at once with actor_gone.
TEST_CASE("an ask whose target fails before replying fails with actor_gone", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  const auto start = std::chrono::steady_clock::now();
  auto r = ask_from<coact::test::Pong>(system, 0, target.value(), crash("boom"), 60s);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::actor_gone);
  CHECK(std::chrono::steady_clock::now() - start < 30s);
}
