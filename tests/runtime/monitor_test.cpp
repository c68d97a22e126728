// Monitors: an actor that stops, by failing, returning or being stopped, sends sys::Down
// with its reason to every actor monitoring it.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Monitors `target`, then stops it with `reason`; publishes the Down's reason.
coact::task<void> stopping_watcher(coact::actor_context& self, coact::actor_ref target,
                                   std::error_code reason, slot<coact::stop_reason> out) {
  self.monitor(target);
  self.stop(target, reason);
  auto down = co_await self.receive<coact::sys::Down>(wait_max);
  out->set_value(down ? coact::reason_of(down.value().get<coact::sys::Down>().getReason())
                      : coact::stop_reason{coact::errc::timeout, "no Down"});
}

struct demonitor_report {
  std::error_code while_demonitored;  // what waiting for a Down gave after demonitor
  coact::stop_reason later;           // the Down of a fresh monitor on the dead actor
};

/// Monitors and demonitors `target`, then makes it fail: no Down may come. Then monitors
/// it again: now it is gone, so a Down with actor_gone comes at once.
coact::task<void> demonitoring_watcher(coact::actor_context& self, coact::actor_ref target,
                                       slot<demonitor_report> out) {
  demonitor_report report;
  self.monitor(target);
  self.demonitor(target);
  self.tell(target, crash("ignored"));
  auto none = co_await self.receive<coact::sys::Down>(100ms);
  report.while_demonitored = none ? std::error_code{} : none.error();
  self.monitor(target);
  auto down = co_await self.receive<coact::sys::Down>(wait_max);
  if (down) report.later = coact::reason_of(down.value().get<coact::sys::Down>().getReason());
  out->set_value(report);
}

}  // namespace

// Proves an actor whose handler throws stops, its monitor gets Down with actor_failed and
// the exception's message, and its ref then answers actor_gone.
TEST_CASE("an actor that throws stops and its monitor gets Down with actor_failed", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  auto down = watch(system, target.value(), crash("boom"));
  const coact::stop_reason reason = await(down);
  CHECK(reason.code == coact::errc::actor_failed);
  CHECK(reason.what == "boom");
  CHECK_FALSE(reason.normal());
  auto r = system.ask_blocking<coact::test::Pong>(target.value(), ping(), wait_max);
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::actor_gone);
  CHECK(system.counters(1).actors_stopped >= 1);
}

// Proves an actor whose body returns stops normally, and its monitor hears so.
TEST_CASE("an actor that returns gives its monitor a normal Down", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 0}, &responder);
  REQUIRE(target);
  auto down = watch(system, target.value(), empty<coact::test::Quit>());
  const coact::stop_reason reason = await(down);
  CHECK(reason.normal());
  CHECK_FALSE(reason.code);
}

// Proves every monitor of an actor gets its Down, and stop() passes its reason on.
TEST_CASE("stop gives every monitor a Down with the given reason", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  auto first = make_slot<coact::stop_reason>();
  auto second = make_slot<coact::stop_reason>();
  auto f1 = first->get_future();
  auto f2 = second->get_future();
  // The second watcher only monitors; the first stops the target after monitoring it.
  // The second's monitor is registered first: it is spawned on the target's shard first.
  auto w2 = system.spawn(coact::spawn_options{.shard = 1}, &watcher, target.value(),
                         coact::envelope{}, second);
  REQUIRE(w2);
  // A round trip through shard 1 after w2 started makes sure its monitor is in place.
  REQUIRE(system.ask_blocking<coact::test::Pong>(target.value(), ping(), wait_max));
  REQUIRE(system.spawn(coact::spawn_options{.shard = 0}, &stopping_watcher, target.value(),
                       std::error_code{coact::errc::invalid_argument}, first));
  const auto r1 = await(f1);
  const auto r2 = await(f2);
  CHECK(r1.code == coact::errc::invalid_argument);
  CHECK(r2.code == coact::errc::invalid_argument);
}

// Proves monitoring an actor that is already gone gives a Down with actor_gone at once.
TEST_CASE("monitoring a stopped actor gives a Down with actor_gone", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  REQUIRE(await(watch(system, target.value(), empty<coact::test::Quit>())).normal());
  auto late = watch(system, target.value());
  CHECK(await(late).code == coact::errc::actor_gone);
}

// Proves demonitor stops Down messages from coming.
TEST_CASE("demonitor stops the Down", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(target);
  auto out = make_slot<demonitor_report>();
  auto report_future = out->get_future();
  REQUIRE(
      system.spawn(coact::spawn_options{.shard = 0}, &demonitoring_watcher, target.value(), out));
  const auto report = await(report_future);
  CHECK(report.while_demonitored == coact::errc::timeout);
  CHECK(report.later.code == coact::errc::actor_gone);
}
