// Timers: sleep, periodic ticks, delayed sends, and cancelling them.
#include <catch2/catch.hpp>

#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// On Ping{ms}: sleeps that long and answers Pong{nanoseconds actually slept}.
coact::task<void> sleeper(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (!e.is<coact::test::Ping>()) continue;
    const coact::time_point start = self.now();
    co_await self.sleep(std::chrono::milliseconds{e.get<coact::test::Ping>().getN()});
    coact::message<coact::test::Pong> pong;
    pong->setN(static_cast<std::uint64_t>((self.now() - start).count()));
    self.reply(e, std::move(pong));
  }
}

struct tick_report {
  coact::timer_id id = 0;
  std::vector<std::uint64_t> timers;  // the timer id each Tick carried
  std::vector<coact::duration> at;    // when each Tick came, from tick_every
  bool cancelled = false;
  bool cancelled_again = true;
  std::error_code after_cancel;
};

/// Starts a periodic timer, takes three Ticks, cancels it, and checks that no Tick
/// comes in the next several periods.
coact::task<void> ticker(coact::actor_context& self, coact::duration period,
                         slot<tick_report> out) {
  tick_report report;
  const coact::time_point start = self.now();
  report.id = self.tick_every(period);
  for (int i = 0; i < 3; ++i) {
    auto tick = co_await self.receive<coact::sys::Tick>(wait_max);
    if (!tick) break;
    report.timers.push_back(tick.value().get<coact::sys::Tick>().getTimer());
    report.at.push_back(self.now() - start);
  }
  report.cancelled = self.cancel_timer(report.id);
  // A Tick already queued before the cancel may still be there; take those first.
  while (co_await self.receive<coact::sys::Tick>(0ms)) {
  }
  auto late = co_await self.receive<coact::sys::Tick>(5 * period);
  report.after_cancel = late ? std::error_code{} : late.error();
  report.cancelled_again = self.cancel_timer(report.id);
  out->set_value(report);
}

struct delayed_report {
  std::int64_t value = -1;
  coact::duration waited{0};
  bool cancelled = false;
  bool cancelled_again = true;
  std::error_code cancelled_message;
};

/// Sends itself an Add after a delay and waits for it; then sends another, cancels it,
/// and checks it never arrives.
coact::task<void> delayed(coact::actor_context& self, coact::duration delay,
                          slot<delayed_report> out) {
  delayed_report report;
  const coact::time_point start = self.now();
  (void)self.send_after(self.ref(), delay, add(7));
  auto first = co_await self.receive<coact::test::Add>(wait_max);
  report.waited = self.now() - start;
  if (first) report.value = first.value().get<coact::test::Add>().getValue();

  const coact::timer_id id = self.send_after(self.ref(), delay, add(8));
  report.cancelled = self.cancel_timer(id);
  auto second = co_await self.receive<coact::test::Add>(3 * delay);
  report.cancelled_message = second ? std::error_code{} : second.error();
  report.cancelled_again = self.cancel_timer(id);
  out->set_value(report);
}

/// Runs `actor` (ticker or delayed) with `interval` in a one-shard system and answers the
/// report it publishes.
template <class Report>
Report report_of(coact::task<void> (*actor)(coact::actor_context&, coact::duration, slot<Report>),
                 coact::duration interval) {
  coact::actor_system system{{.shard_count = 1}};
  auto out = make_slot<Report>();
  auto report_future = out->get_future();
  REQUIRE(system.spawn(actor, interval, out));
  return await(report_future);
}

/// Sends `target` an Add after `delay`.
coact::task<void> postman(coact::actor_context& self, coact::actor_ref target,
                          coact::duration delay) {
  (void)self.send_after(target, delay, add(42));
  (void)co_await self.receive<coact::test::Go>(wait_max);
}

/// Publishes the value of the first Add it receives and how long it waited for it.
coact::task<void> expect_add(coact::actor_context& self,
                             slot<std::pair<std::int64_t, coact::duration>> out) {
  const coact::time_point start = self.now();
  auto e = co_await self.receive<coact::test::Add>(wait_max);
  out->set_value({e ? e.value().get<coact::test::Add>().getValue() : -1, self.now() - start});
}

/// Tries to cancel the timer whose id arrives in an Add's seq, and publishes whether it could.
coact::task<void> meddler(coact::actor_context& self, slot<bool> out) {
  auto e = co_await self.receive<coact::test::Add>(wait_max);
  out->set_value(e && self.cancel_timer(e.value().get<coact::test::Add>().getSeq()));
}

/// Starts a send_after to itself, hands the timer's id to `other`, and publishes the value
/// of the delayed message when it arrives (-1 if it never does).
coact::task<void> timer_owner(coact::actor_context& self, coact::actor_ref other,
                              slot<std::int64_t> out) {
  const coact::timer_id id = self.send_after(self.ref(), 50ms, add(5));
  coact::message<coact::test::Add> tip;
  tip->setSeq(id);
  self.tell(other, std::move(tip));
  auto e = co_await self.receive<coact::test::Add>(wait_max);
  out->set_value(e ? e.value().get<coact::test::Add>().getValue() : -1);
}

}  // namespace

// Proves sleep suspends an actor for at least its duration.
TEST_CASE("sleep suspends the actor for at least its duration", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto s = system.spawn(&sleeper);
  REQUIRE(s);
  auto r = system.ask_blocking<coact::test::Pong>(s.value(), ping(40), wait_max);
  REQUIRE(r);
  CHECK(std::chrono::nanoseconds{r.value().get<coact::test::Pong>().getN()} >= 40ms);
}

// Proves a sleeping actor does not block its shard: another actor on it answers meanwhile.
TEST_CASE("a sleeping actor leaves its shard free for the others", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto s = system.spawn(&sleeper);
  auto other = system.spawn(&responder);
  REQUIRE(s);
  REQUIRE(other);
  REQUIRE(system.tell(s.value(), ping(60'000)));  // a minute asleep
  // Sent after the sleeper's Ping: it is already asleep when this one is handled.
  auto r = system.ask_blocking<coact::test::Pong>(other.value(), ping(1), wait_max);
  REQUIRE(r);
  CHECK(r.value().get<coact::test::Pong>().getN() == 2);
}

// Proves tick_every delivers sys::Tick carrying its timer id once per period, and that
// cancel_timer stops it for good.
TEST_CASE("tick_every delivers periodic Ticks until cancelled", "[runtime]") {
  constexpr auto period = 20ms;
  const auto report = report_of(&ticker, period);
  REQUIRE(report.timers.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(report.timers[i] == report.id);
    // The i-th tick cannot come before i+1 periods.
    CHECK(report.at[i] >= (i + 1) * period);
  }
  CHECK(report.cancelled);
  CHECK(report.after_cancel == coact::errc::timeout);
  CHECK_FALSE(report.cancelled_again);
}

// Proves send_after delivers the message after the delay, and a cancelled one never.
TEST_CASE("send_after delivers after the delay and cancel_timer stops it", "[runtime]") {
  constexpr auto delay = 30ms;
  const auto report = report_of(&delayed, delay);
  CHECK(report.value == 7);
  CHECK(report.waited >= delay);
  CHECK(report.cancelled);
  CHECK(report.cancelled_message == coact::errc::timeout);
  CHECK_FALSE(report.cancelled_again);
}

// Proves send_after reaches an actor on another shard.
TEST_CASE("send_after delivers to an actor on another shard", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto out = make_slot<std::pair<std::int64_t, coact::duration>>();
  auto got = out->get_future();
  auto target = system.spawn(coact::spawn_options{.shard = 1}, &expect_add, out);
  REQUIRE(target);
  REQUIRE(system.spawn(coact::spawn_options{.shard = 0}, &postman, target.value(),
                       coact::duration{20ms}));
  CHECK(await(got).first == 42);
}

// Proves an actor cannot cancel another actor's timer, even knowing its id.
TEST_CASE("cancel_timer refuses another actor's timer", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto cancelled = make_slot<bool>();
  auto cancelled_future = cancelled->get_future();
  auto delivered = make_slot<std::int64_t>();
  auto delivered_future = delivered->get_future();
  auto other = system.spawn(&meddler, cancelled);
  REQUIRE(other);
  REQUIRE(system.spawn(&timer_owner, other.value(), delivered));
  CHECK_FALSE(await(cancelled_future));
  CHECK(await(delivered_future) == 5);
}
