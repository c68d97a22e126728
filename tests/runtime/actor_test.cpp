// Spawning: actors from coroutine functions and from classes, on a chosen shard or
// round-robin, and actor refs as small copyable values.
#include <catch2/catch.hpp>

#include <array>
#include <type_traits>
#include <unordered_set>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Answers Ping with Pong{the shard it runs on}.
coact::task<void> where_am_i(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Ping>()) {
      coact::message<coact::test::Pong> pong;
      pong->setN(self.shard());
      self.reply(e, std::move(pong));
    }
  }
}

/// On Ping: spawns where_am_i without options, asks it, and replies with its answer.
coact::task<void> parent(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (!e.is<coact::test::Ping>()) continue;
    auto child = self.system().spawn(&where_am_i);
    if (!child) {
      self.reply_error(e, child.error());
      continue;
    }
    auto answer = co_await self.ask<coact::test::Pong>(child.value(), ping(), wait_max);
    if (!answer) {
      self.reply_error(e, answer.error());
      continue;
    }
    coact::message<coact::test::Pong> pong;
    pong->setN(answer.value().get<coact::test::Pong>().getN());
    self.reply(e, std::move(pong));
  }
}

/// An object actor: its state lives in the object, which the actor owns.
class accumulator {
 public:
  accumulator(std::int64_t start, slot<void> destroyed)
      : total_(start), destroyed_(std::move(destroyed)) {}
  accumulator(const accumulator&) = delete;
  accumulator& operator=(const accumulator&) = delete;
  ~accumulator() { destroyed_->set_value(); }

  coact::task<void> run(coact::actor_context& self) {
    for (;;) {
      coact::envelope e = co_await self.receive();
      if (e.is<coact::test::Add>()) {
        total_ += e.get<coact::test::Add>().getValue();
      } else if (e.is<coact::test::Get>()) {
        coact::message<coact::test::Total> t;
        t->setValue(total_);
        self.reply(e, std::move(t));
      }
    }
  }

 private:
  std::int64_t total_;
  slot<void> destroyed_;
};

std::uint64_t shard_of_actor(coact::actor_system& system, coact::actor_ref ref) {
  auto r = system.ask_blocking<coact::test::Pong>(ref, ping(), wait_max);
  REQUIRE(r);
  return r.value().get<coact::test::Pong>().getN();
}

}  // namespace

// Proves an ask from outside reaches an actor on another shard and returns its reply.
TEST_CASE("an ask to an actor on another shard gets its reply", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  auto reply = system.ask_blocking<coact::test::Pong>(target.value(), ping(41), 5s);
  REQUIRE(reply);
  CHECK(reply.value().get<coact::test::Pong>().getN() == 42);
}

// Proves a coroutine-function actor runs on the shard it was spawned on, and its ref says so.
TEST_CASE("a coroutine function actor runs on its chosen shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 3}};
  for (std::uint32_t shard : {2u, 0u, 1u}) {
    auto ref = system.spawn(coact::spawn_options{.shard = shard}, &where_am_i);
    REQUIRE(ref);
    CHECK(ref.value().shard == shard);
    CHECK(shard_of_actor(system, ref.value()) == shard);
  }
}

// Proves spawn_object constructs the object from the arguments, runs its run(), keeps its
// state across messages, and destroys the object when the actor stops.
TEST_CASE("spawn_object runs an object actor that owns its state", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto destroyed = make_slot<void>();
  auto destroyed_future = destroyed->get_future();
  auto ref = system.spawn_object<accumulator>(coact::spawn_options{.shard = 1}, 100, destroyed);
  REQUIRE(ref);
  destroyed.reset();
  REQUIRE(system.tell(ref.value(), add(5)));
  REQUIRE(system.tell(ref.value(), add(-2)));
  auto total =
      system.ask_blocking<coact::test::Total>(ref.value(), empty<coact::test::Get>(), wait_max);
  REQUIRE(total);
  CHECK(total.value().get<coact::test::Total>().getValue() == 103);
  CHECK(destroyed_future.wait_for(0s) == std::future_status::timeout);

  system.stop(ref.value());
  await(destroyed_future);
}

// Proves actors spawned from outside without a shard are spread round-robin over shards.
TEST_CASE("actors spawned from outside without a shard go round-robin", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  std::array<int, 2> per_shard{};
  for (int i = 0; i < 6; ++i) {
    auto ref = system.spawn(&where_am_i);
    REQUIRE(ref);
    REQUIRE(ref.value().shard < 2);
    ++per_shard[ref.value().shard];
    CHECK(shard_of_actor(system, ref.value()) == ref.value().shard);
  }
  CHECK(per_shard[0] == 3);
  CHECK(per_shard[1] == 3);
}

// Proves an actor spawned by an actor without options lands on its parent's shard, and
// that an actor can ask another actor.
TEST_CASE("an actor spawned by an actor defaults to its parent's shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 3}};
  auto p = system.spawn(coact::spawn_options{.shard = 2}, &parent);
  REQUIRE(p);
  auto r = system.ask_blocking<coact::test::Pong>(p.value(), ping(), wait_max);
  REQUIRE(r);
  CHECK(r.value().get<coact::test::Pong>().getN() == 2);
}

// Proves actor_ref is a small trivially copyable value with value semantics.
TEST_CASE("actor_ref is a small copyable value", "[runtime]") {
  static_assert(std::is_trivially_copyable_v<coact::actor_ref>);
  static_assert(sizeof(coact::actor_ref) <= 16);
  coact::actor_ref nobody;
  CHECK_FALSE(nobody.valid());

  coact::actor_system system{{.shard_count = 2}};
  auto a = system.spawn(&responder);
  auto b = system.spawn(&responder);
  REQUIRE(a);
  REQUIRE(b);
  const coact::actor_ref copy = a.value();
  CHECK(copy == a.value());
  CHECK(copy != b.value());
  CHECK(copy.valid());
  std::unordered_set<coact::actor_ref> set{a.value(), b.value(), copy};
  CHECK(set.size() == 2);
  // A copy is as good as the original for sending.
  auto r = system.ask_blocking<coact::test::Pong>(copy, ping(1), wait_max);
  REQUIRE(r);
  CHECK(r.value().get<coact::test::Pong>().getN() == 2);
}

// Proves spawn refuses a shard that does not exist, and every entry point refuses work
// after shutdown.
TEST_CASE("spawn fails cleanly on a bad shard and after shutdown", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto bad = system.spawn(coact::spawn_options{.shard = 2}, &responder);
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == coact::errc::invalid_argument);

  auto alive = system.spawn(&responder);
  REQUIRE(alive);
  system.shutdown();
  auto late = system.spawn(&responder);
  REQUIRE_FALSE(late);
  CHECK(late.error() == coact::errc::shutting_down);
  auto told = system.tell(alive.value(), ping());
  REQUIRE_FALSE(told);
  CHECK(told.error() == coact::errc::shutting_down);
  auto asked = system.ask_blocking<coact::test::Pong>(alive.value(), ping(), 1s);
  REQUIRE_FALSE(asked);
  CHECK(asked.error() == coact::errc::shutting_down);
}
