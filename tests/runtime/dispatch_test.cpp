// dispatch: a server names the message types it handles; what it does not handle is
// refused by the runtime (an ask answered malformed_message, a tell a dead letter).
#include "coact/runtime/dispatch.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace coact::testing;

namespace {

/// Ping (ask) -> Pong{n + 1}; Add -> total, answered with Total when asked; nothing else.
coact::task<void> adder(coact::actor_context& self) {
  std::int64_t total = 0;
  for (;;) {
    coact::envelope e = co_await self.receive();
    coact::dispatch(
        e, coact::on<coact::test::Ping>([&](coact::envelope& ask, coact::test::Ping::Reader ping) {
          self.reply(ask, coact::make_message<coact::test::Pong>(
                              [&](auto pong) { pong.setN(ping.getN() + 1); }));
        }),
        coact::on<coact::test::Add>([&](coact::envelope& add) {
          total += add.get<coact::test::Add>().getValue();
          if (add.kind() == coact::message_kind::ask) {
            self.reply(add,
                       coact::make_message<coact::test::Total>([&](auto t) { t.setValue(total); }));
          }
        }));
  }
}

}  // namespace

// Proves each message goes to the handler of its type, with the reader when it asks for
// one, and that one-expression messages carry what their fill wrote.
TEST_CASE("dispatch calls the handler of the message's type", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto a = system.spawn(&adder);
  REQUIRE(a);
  auto pong = system.ask_blocking<coact::test::Pong>(a.value(), ping(41), wait_max);
  REQUIRE(pong);
  CHECK(pong.value().get<coact::test::Pong>().getN() == 42);
  REQUIRE(system.tell(a.value(), add(5)));
  auto total = system.ask_blocking<coact::test::Total>(a.value(), add(2), wait_max);
  REQUIRE(total);
  CHECK(total.value().get<coact::test::Total>().getValue() == 7);
}

// Proves an ask no handler takes is answered malformed_message at once (no deadline wait)
// and a tell no handler takes is a dead letter with that reason.
TEST_CASE("dispatch refuses what no handler takes", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto a = system.spawn(&adder);
  REQUIRE(a);
  auto r = system.ask_blocking<coact::test::Total>(a.value(), empty<coact::test::Get>(), wait_max);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::malformed_message);
  const auto before = system.counters(0).dead_letters;
  REQUIRE(system.tell(a.value(), empty<coact::test::Go>()));
  REQUIRE(system.ask_blocking<coact::test::Pong>(a.value(), ping(), wait_max));  // after the Go
  CHECK(system.counters(0).dead_letters == before + 1);
  const auto letters = system.dead_letters();
  REQUIRE_FALSE(letters.empty());
  CHECK(letters.back().type_id == capnp::typeId<coact::test::Go>());
  CHECK(letters.back().reason == coact::errc::malformed_message);
}
