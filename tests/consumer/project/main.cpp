// Proves that a program outside coact can spawn an actor and ask it something, with a
// message type of its own (which holds one of the runtime's schema types, sys::ActorRef)
// and one of the runtime's (sys::Tick).
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "coact/runtime/actor_system.hpp"
#include "greeter.capnp.h"

using namespace std::chrono_literals;

namespace {

coact::task<void> greeter(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<consumer::Greet>()) {
      coact::message<consumer::Greeting> greeting;
      const auto greet = e.get<consumer::Greet>();
      greeting->setText("hello, " + std::string{greet.getName().cStr()} + " of node " +
                        std::to_string(greet.getFrom().getNode()));
      self.reply(e, std::move(greeting));
    } else if (e.is<coact::sys::Tick>()) {
      coact::message<coact::sys::Tick> echo;
      echo->setTimer(e.get<coact::sys::Tick>().getTimer() + 1);
      self.reply(e, std::move(echo));
    }
  }
}

}  // namespace

int main() {
  coact::actor_system system{{.shard_count = 1}};
  auto actor = system.spawn(&greeter);
  if (!actor) {
    std::fprintf(stderr, "spawn failed: %s\n", actor.error().message().c_str());
    return 1;
  }

  coact::message<consumer::Greet> greet;
  greet->setName("consumer");
  greet->initFrom().setNode(7);
  auto reply = system.ask_blocking<consumer::Greeting>(actor.value(), std::move(greet), 10s);
  if (!reply) {
    std::fprintf(stderr, "ask failed: %s\n", reply.error().message().c_str());
    return 1;
  }
  std::string text = reply.value().get<consumer::Greeting>().getText().cStr();
  if (text != "hello, consumer of node 7") {
    std::fprintf(stderr, "unexpected reply: '%s'\n", text.c_str());
    return 1;
  }

  coact::message<coact::sys::Tick> tick;
  tick->setTimer(41);
  auto tock = system.ask_blocking<coact::sys::Tick>(actor.value(), std::move(tick), 10s);
  if (!tock || tock.value().get<coact::sys::Tick>().getTimer() != 42) {
    std::fprintf(stderr, "sys::Tick round trip failed\n");
    return 1;
  }

  system.shutdown();
  std::printf("coact consumer: %s\n", text.c_str());
  return 0;
}
