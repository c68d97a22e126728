// Actor tasks (actor_context::launch): coroutines that run inside an actor beside its body,
// so one actor serves many requests that each wait for asks of their own.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Keeps asks until it holds `count`, then answers them all with Pong: an actor that
/// serves one request at a time never gets it there.
coact::task<void> gate(coact::actor_context& self, std::size_t count) {
  std::vector<coact::envelope> held;
  for (;;) {
    held.push_back(co_await self.receive());
    if (held.size() < count) continue;
    for (auto& e : held) self.reply(e, empty<coact::test::Pong>());
    held.clear();
  }
}

/// One request of relay's: asks the gate, sleeps, then answers the requester with the
/// number of requests the relay had taken meanwhile.
coact::task<void> relay_one(coact::actor_context& self, coact::envelope request,
                            coact::actor_ref gate_ref, const std::int64_t* taken) {
  auto passed = co_await self.ask<coact::test::Pong>(gate_ref, ping(), wait_max);
  co_await self.sleep(1ms);
  self.reply(request, outcome(passed ? std::error_code{} : passed.error(), *taken));
}

/// On each Ping, launches relay_one; Crash launches a task that throws.
coact::task<void> relay(coact::actor_context& self, coact::actor_ref gate_ref) {
  std::int64_t taken = 0;
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Ping>()) {
      ++taken;
      self.launch(relay_one(self, std::move(e), gate_ref, &taken));
    } else if (e.is<coact::test::Crash>()) {
      self.launch([](std::string what) -> coact::task<void> {
        throw std::runtime_error{what};
        co_return;
      }(e.get<coact::test::Crash>().getWhat()));
    }
  }
}

/// Asks `target` a Ping and publishes the outcome.
coact::task<void> requester(coact::actor_context& self, coact::actor_ref target,
                            slot<coact::result<coact::envelope>> out) {
  out->set_value(co_await self.ask<coact::test::Outcome>(target, ping(), wait_max));
}

}  // namespace

// Proves tasks run concurrently inside one actor: three requests each wait on a gate that
// opens only once it holds three asks, and the body keeps taking requests meanwhile.
TEST_CASE("an actor's launched tasks wait on their asks side by side", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto g = system.spawn(coact::spawn_options{.shard = 1}, &gate, std::size_t{3});
  REQUIRE(g);
  auto r = system.spawn(coact::spawn_options{.shard = 0}, &relay, g.value());
  REQUIRE(r);
  std::vector<std::future<coact::result<coact::envelope>>> answers;
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto out = make_slot<coact::result<coact::envelope>>();
    answers.push_back(out->get_future());
    REQUIRE(system.spawn(coact::spawn_options{.shard = i % 2}, &requester, r.value(), out));
  }
  for (auto& a : answers) {
    auto answer = await(a);
    const auto [code, taken] = outcome_of(answer);
    CHECK_FALSE(code);
    CHECK(taken == 3);  // every request was taken before any was answered
  }
}

// Proves a task that throws stops its actor with actor_failed and the exception's text.
TEST_CASE("a launched task that throws stops its actor", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto r = system.spawn(&relay, coact::actor_ref{});
  REQUIRE(r);
  const auto reason = await(watch(system, r.value(), crash("task broke")));
  CHECK(reason.code == coact::errc::actor_failed);
  CHECK(reason.what == "task broke");
}

// Proves stopping an actor destroys its tasks where they wait: their pending asks end,
// the requests they held are answered with actor_gone, and nothing touches freed frames.
TEST_CASE("stopping an actor ends its waiting tasks", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto g = system.spawn(coact::spawn_options{.shard = 1}, &gate, std::size_t{100});
  REQUIRE(g);
  auto r = system.spawn(coact::spawn_options{.shard = 0}, &relay, g.value());
  REQUIRE(r);
  auto out = make_slot<coact::result<coact::envelope>>();
  auto answer = out->get_future();
  REQUIRE(system.spawn(coact::spawn_options{.shard = 1}, &requester, r.value(), out));
  // The relay's task waits on the gate; once the gate holds its ask, stop the relay.
  auto down = watch(system, r.value());
  for (int i = 0; i < 1000 && system.counters(1).messages_delivered < 2; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  system.stop(r.value());
  CHECK(await(down).code == coact::errc::killed);
  auto got = await(answer);
  REQUIRE_FALSE(got);
  CHECK(got.error() == coact::errc::actor_gone);
}
