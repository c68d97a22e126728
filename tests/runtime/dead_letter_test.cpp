// Stale refs: a ref to a stopped actor stays safe to use; what is sent to it becomes a
// dead letter (counted, and kept for inspection) and asks to it fail with actor_gone.
#include <catch2/catch.hpp>

#include <algorithm>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// On Ping: tells `stale` an Add and answers with what try_tell returned.
coact::task<void> teller(coact::actor_context& self, coact::actor_ref stale) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    auto told = self.try_tell(stale, add(1));
    self.reply(e, outcome(told ? std::error_code{} : told.error()));
  }
}

/// Takes a tell, then an ask: tells `target` an Add (whose failure it cannot see),
/// answers the tell (a bug the runtime must not drop silently), then answers the ask.
coact::task<void> careless_teller(coact::actor_context& self, coact::actor_ref target) {
  coact::envelope not_an_ask = co_await self.receive();
  coact::envelope e = co_await self.receive();
  self.tell(target, add(1));
  self.reply(not_an_ask, empty<coact::test::Pong>());
  self.reply(e, empty<coact::test::Pong>());
  for (;;) (void)co_await self.receive();
}

coact::actor_ref stopped_actor(coact::actor_system& system, std::uint32_t shard) {
  auto ref = system.spawn(coact::spawn_options{.shard = shard}, &responder);
  REQUIRE(ref);
  REQUIRE(await(watch(system, ref.value(), empty<coact::test::Quit>())).normal());
  return ref.value();
}

}  // namespace

// Proves tells from outside and asks to a stopped actor's ref become dead letters with
// the target, sender kind and type recorded, and asks fail with actor_gone.
TEST_CASE("messages to a stopped actor become dead letters", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  const coact::actor_ref gone = stopped_actor(system, 1);
  const auto before = system.counters(1);

  REQUIRE(system.tell(gone, add(1)));  // from outside: accepted, then dead-lettered
  // The ask is sent after the tell through the same shard's inbox, so once it has failed
  // the tell has been handled too.
  auto r = system.ask_blocking<coact::test::Pong>(gone, ping(), wait_max);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::actor_gone);

  const auto after = system.counters(1);
  CHECK(after.dead_letters == before.dead_letters + 2);
  CHECK(system.counters(0).dead_letters == 0);
  const auto letters = system.dead_letters();
  const auto count = [&](coact::message_kind kind, std::uint64_t type) {
    return std::count_if(letters.begin(), letters.end(), [&](const coact::dead_letter& d) {
      return d.target == gone && d.kind == kind && d.type_id == type &&
             d.reason == coact::errc::actor_gone;
    });
  };
  CHECK(count(coact::message_kind::tell, capnp::typeId<coact::test::Add>()) == 1);
  CHECK(count(coact::message_kind::ask, capnp::typeId<coact::test::Ping>()) == 1);
}

// Proves a tell to a stopped actor on the sender's own shard fails at once with
// actor_gone, and is counted as a dead letter.
TEST_CASE("a same-shard tell to a stopped actor returns actor_gone", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  const coact::actor_ref gone = stopped_actor(system, 0);
  auto t = system.spawn(coact::spawn_options{.shard = 0}, &teller, gone);
  REQUIRE(t);
  const auto before = system.counters(0).dead_letters;
  auto r = system.ask_blocking<coact::test::Outcome>(t.value(), ping(), wait_max);
  CHECK(outcome_of(r).first == coact::errc::actor_gone);
  CHECK(system.counters(0).dead_letters == before + 1);
  const auto letters = system.dead_letters();
  CHECK(std::any_of(letters.begin(), letters.end(), [&](const coact::dead_letter& d) {
    return d.target == gone && d.sender == t.value() && d.kind == coact::message_kind::tell;
  }));
}

// Proves a tell that cannot be sent and a reply to what is not an ask are counted as
// dead letters with their reasons instead of vanishing.
TEST_CASE("a failed tell or reply is a dead letter with its reason", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  const coact::actor_ref far{7, 0, 1, 1};  // another node, and no network to reach it
  auto t = system.spawn(&careless_teller, far);
  REQUIRE(t);
  const auto before = system.counters(0).dead_letters;
  REQUIRE(system.tell(t.value(), add(0)));
  REQUIRE(system.ask_blocking<coact::test::Pong>(t.value(), ping(), wait_max));
  CHECK(system.counters(0).dead_letters == before + 2);
  const auto letters = system.dead_letters();
  const auto has = [&](coact::message_kind kind, coact::errc reason) {
    return std::any_of(letters.begin(), letters.end(), [&](const coact::dead_letter& d) {
      return d.sender == t.value() && d.kind == kind && d.reason == reason;
    });
  };
  CHECK(has(coact::message_kind::tell, coact::errc::node_unreachable));
  CHECK(has(coact::message_kind::reply, coact::errc::invalid_argument));
}

// Proves a stale ref never reaches the new actor that reuses its slot: the generation
// differs, so its messages are dead letters.
TEST_CASE("a stale ref does not reach a new actor in the same slot", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  const coact::actor_ref gone = stopped_actor(system, 0);
  auto fresh = system.spawn(&responder);
  REQUIRE(fresh);
  CHECK(fresh.value() != gone);
  if (fresh.value().id == gone.id) CHECK(fresh.value().generation != gone.generation);
  REQUIRE(system.tell(gone, add(5)));
  auto total =
      system.ask_blocking<coact::test::Total>(fresh.value(), empty<coact::test::Get>(), wait_max);
  REQUIRE(total);
  CHECK(total.value().get<coact::test::Total>().getValue() == 0);
  CHECK(system.counters(0).dead_letters >= 1);
}

// Proves the dead-letter log keeps at most dead_letter_log_max entries per shard while the
// counter counts every dead letter.
TEST_CASE("the dead letter log is bounded but the counter counts all", "[runtime]") {
  coact::actor_system system{{.shard_count = 1, .dead_letter_log_max = 4}};
  const coact::actor_ref gone = stopped_actor(system, 0);
  const auto before = system.counters(0).dead_letters;
  for (int i = 0; i < 10; ++i) REQUIRE(system.tell(gone, add(i)));
  auto r = system.ask_blocking<coact::test::Pong>(gone, ping(), wait_max);  // after the tells
  REQUIRE_FALSE(r);
  CHECK(system.counters(0).dead_letters == before + 11);
  const auto letters = system.dead_letters();
  CHECK(letters.size() == 4);
  CHECK(letters.back().kind == coact::message_kind::ask);  // the newest is kept
}
