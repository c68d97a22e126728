// Mailboxes: receiving the next message or the next one of a type (others stay queued in
// order), and bounded mailboxes that answer overloaded but never refuse system messages.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

struct selective_report {
  bool got_go = false;
  bool got_ping = false;
  std::vector<std::int64_t> rest;  // Add values in the order received after Go and Ping
};

/// Takes Go first and Ping second although both were sent after some Adds, then the Adds.
coact::task<void> selective(coact::actor_context& self, int adds, slot<selective_report> out) {
  selective_report report;
  auto go = co_await self.receive<coact::test::Go>(wait_max);
  report.got_go = go && go.value().is<coact::test::Go>();
  auto p = co_await self.receive<coact::test::Ping>(wait_max);
  report.got_ping = p && p.value().get<coact::test::Ping>().getN() == 99;
  for (int i = 0; i < adds; ++i) {
    coact::envelope e = co_await self.receive();
    report.rest.push_back(e.is<coact::test::Add>() ? e.get<coact::test::Add>().getValue() : -1);
  }
  out->set_value(report);
}

struct timeout_report {
  std::error_code filtered;
  std::error_code any;
  coact::duration waited{0};
  std::int64_t kept = -1;
};

/// Waits for a Ping that never comes while an Add is queued, then for anything on an
/// empty mailbox; then checks the Add is still there.
coact::task<void> waits_in_vain(coact::actor_context& self, slot<timeout_report> out) {
  timeout_report report;
  (void)co_await self.receive<coact::test::Go>(wait_max);  // the Add is queued before Go
  auto p = co_await self.receive<coact::test::Ping>(30ms);
  report.filtered = p ? std::error_code{} : p.error();
  coact::envelope queued = co_await self.receive();
  report.kept = queued.is<coact::test::Add>() ? queued.get<coact::test::Add>().getValue() : -1;
  const coact::time_point start = self.now();
  auto nothing = co_await self.receive_for(30ms);
  report.any = nothing ? std::error_code{} : nothing.error();
  report.waited = self.now() - start;
  out->set_value(report);
}

/// Never takes a message until it gets Go (which never comes), so its mailbox fills up.
coact::task<void> stuck(coact::actor_context& self) {
  (void)co_await self.receive<coact::test::Go>(60s);
}

/// Tells `target` `count` Adds and publishes what each tell returned.
coact::task<void> flooder(coact::actor_context& self, coact::actor_ref target, int count,
                          slot<std::vector<std::error_code>> out) {
  std::vector<std::error_code> results;
  for (int i = 0; i < count; ++i) {
    auto r = self.try_tell(target, add(i));
    results.push_back(r ? std::error_code{} : r.error());
  }
  out->set_value(results);
  co_return;
}

struct full_watcher_report {
  coact::stop_reason reason;
  bool down = false;
  std::int64_t filler = -1;
};

/// With a mailbox of capacity 1, monitors `victim`, says so, and waits for its Down
/// while the test fills the mailbox; then checks the filler is still queued.
coact::task<void> full_watcher(coact::actor_context& self, coact::actor_ref victim,
                               slot<void> monitoring, slot<full_watcher_report> out) {
  full_watcher_report report;
  self.monitor(victim);
  monitoring->set_value();
  auto down = co_await self.receive<coact::sys::Down>(wait_max);
  if (down) {
    report.down = true;
    report.reason = coact::reason_of(down.value().get<coact::sys::Down>().getReason());
  }
  auto filler = co_await self.receive_for(wait_max);
  if (filler && filler.value().is<coact::test::Add>()) {
    report.filler = filler.value().get<coact::test::Add>().getValue();
  }
  out->set_value(report);
}

}  // namespace

// Proves receive<T> takes the next message of type T even when others came first, and
// that those others stay queued in their order for later receives.
TEST_CASE("receive<T> takes the next T and leaves other messages queued in order", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto out = make_slot<selective_report>();
  auto report_future = out->get_future();
  auto actor = system.spawn(coact::spawn_options{.shard = 1}, &selective, 4, out);
  REQUIRE(actor);
  REQUIRE(system.tell(actor.value(), add(1)));
  REQUIRE(system.tell(actor.value(), add(2)));
  REQUIRE(system.tell(actor.value(), ping(99)));
  REQUIRE(system.tell(actor.value(), add(3)));
  REQUIRE(system.tell(actor.value(), empty<coact::test::Go>()));
  REQUIRE(system.tell(actor.value(), add(4)));
  const auto report = await(report_future);
  CHECK(report.got_go);
  CHECK(report.got_ping);
  CHECK(report.rest == std::vector<std::int64_t>{1, 2, 3, 4});
}

// Proves receive<T>(timeout) fails with timeout when no T arrives, without consuming
// the other messages, and receive_for times out on an empty mailbox after its duration.
TEST_CASE("receive with a timeout fails with timeout and keeps other messages", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto out = make_slot<timeout_report>();
  auto report_future = out->get_future();
  auto actor = system.spawn(&waits_in_vain, out);
  REQUIRE(actor);
  REQUIRE(system.tell(actor.value(), add(5)));
  REQUIRE(system.tell(actor.value(), empty<coact::test::Go>()));
  const auto report = await(report_future);
  CHECK(report.filtered == coact::errc::timeout);
  CHECK(report.kept == 5);
  CHECK(report.any == coact::errc::timeout);
  CHECK(report.waited >= 30ms);
}

// Proves a full bounded mailbox refuses a tell from the same shard with overloaded, and
// counts the refusal.
TEST_CASE("a same-shard tell to a full bounded mailbox returns overloaded", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 0, .mailbox_capacity = 2}, &stuck);
  REQUIRE(target);
  auto out = make_slot<std::vector<std::error_code>>();
  auto results_future = out->get_future();
  REQUIRE(system.spawn(coact::spawn_options{.shard = 0}, &flooder, target.value(), 4, out));
  const auto results = await(results_future);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0]);
  CHECK_FALSE(results[1]);
  CHECK(results[2] == coact::errc::overloaded);
  CHECK(results[3] == coact::errc::overloaded);
  const auto counters = system.counters(0);
  CHECK(counters.mailbox_rejected == 2);
  CHECK(counters.mailbox_high_water == 2);
}

// Proves an ask from another shard to a full bounded mailbox fails with overloaded, and a
// tell from another shard to it is dropped and counted.
TEST_CASE("an ask from another shard to a full mailbox fails with overloaded", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto target = system.spawn(coact::spawn_options{.shard = 1, .mailbox_capacity = 1}, &stuck);
  REQUIRE(target);
  REQUIRE(system.tell(target.value(), add(1)));  // fills the mailbox
  // The ask is sent after the tell (causally), so it finds the mailbox full.
  auto r = ask_from<coact::test::Pong>(system, 0, target.value(), ping());
  REQUIRE_FALSE(r);
  CHECK(r.error() == coact::errc::overloaded);
  CHECK(system.counters(1).mailbox_rejected == 1);

  REQUIRE(system.tell(target.value(), add(2)));  // dropped, counted
  auto again = ask_from<coact::test::Pong>(system, 0, target.value(), ping());
  REQUIRE_FALSE(again);
  CHECK(again.error() == coact::errc::overloaded);
  CHECK(system.counters(1).mailbox_rejected == 3);
  CHECK(system.counters(1).mailbox_high_water == 1);
}

// Proves a full bounded mailbox still accepts a system message (Down), while it refuses
// ordinary ones.
TEST_CASE("a full bounded mailbox never refuses a Down", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto victim = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(victim);
  auto monitoring = make_slot<void>();
  auto monitoring_future = monitoring->get_future();
  auto out = make_slot<full_watcher_report>();
  auto report_future = out->get_future();
  auto watcher = system.spawn(coact::spawn_options{.shard = 1, .mailbox_capacity = 1},
                              &full_watcher, victim.value(), monitoring, out);
  REQUIRE(watcher);
  await(monitoring_future);
  // All three go through shard 1's inbox in this order: the mailbox is full when the
  // victim's Down is delivered.
  REQUIRE(system.tell(watcher.value(), add(1)));
  REQUIRE(system.tell(watcher.value(), add(2)));
  system.stop(victim.value());
  const auto report = await(report_future);
  CHECK(report.down);
  CHECK(report.reason.code == coact::errc::killed);
  CHECK(report.filler == 1);
  CHECK(system.counters(1).mailbox_rejected == 1);
  CHECK(system.counters(1).mailbox_high_water == 2);  // the filler and the Down
}
