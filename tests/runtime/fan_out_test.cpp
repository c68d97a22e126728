// Fan-out asks: one actor asks many at once through the pending-ask table and gets every
// outcome (ask_all), the first n (ask_first), or each as it arrives (fan_out::next).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Takes every message and keeps it: its asks are never answered, nor dropped.
coact::task<void> hoarder(coact::actor_context& self) {
  std::vector<coact::envelope> kept;
  for (;;) kept.push_back(co_await self.receive());
}

/// Keeps every message until Quit (its asks are then answered actor_gone); publishes when
/// it holds `count`.
coact::task<void> keeper(coact::actor_context& self, std::size_t count, slot<bool> full) {
  std::vector<coact::envelope> kept;
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Quit>()) co_return;
    kept.push_back(std::move(e));
    if (kept.size() == count) full->set_value(true);
  }
}

/// Drops every request without answering it.
coact::task<void> dropper(coact::actor_context& self) {
  for (;;) (void)co_await self.receive();
}

/// Answers every ask with Total instead of the Pong its asker expects.
coact::task<void> wrong_type(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    self.reply(e, empty<coact::test::Total>());
  }
}

/// ask_all of a Ping to `targets`; publishes each outcome's code and Pong number.
coact::task<void> ask_all_of(coact::actor_context& self, std::vector<coact::actor_ref> targets,
                             coact::duration timeout,
                             slot<std::vector<std::pair<std::error_code, std::uint64_t>>> out) {
  auto replies = co_await self.ask_all<coact::test::Pong>(targets, ping(10), timeout);
  std::vector<std::pair<std::error_code, std::uint64_t>> seen;
  for (auto& r : replies) {
    if (r) {
      seen.emplace_back(std::error_code{}, r.value().get<coact::test::Pong>().getN());
    } else {
      seen.emplace_back(r.error(), 0);
    }
  }
  out->set_value(std::move(seen));
}

/// ask_first(n) of a Ping to `targets`; publishes what it yielded.
coact::task<void> ask_first_of(coact::actor_context& self, std::size_t n,
                               std::vector<coact::actor_ref> targets, coact::duration timeout,
                               slot<coact::first_replies> out) {
  out->set_value(co_await self.ask_first<coact::test::Pong>(n, targets, ping(), timeout));
}

/// Fans out a Ping and takes the outcomes one by one with next(); publishes the target
/// indices in the order next() gave them.
coact::task<void> each_of(coact::actor_context& self, std::vector<coact::actor_ref> targets,
                          slot<std::vector<std::size_t>> out) {
  coact::fan_out f = self.ask_each<coact::test::Pong>(targets, ping(), wait_max);
  std::vector<std::size_t> order;
  // Catch's assertions are not for shard threads: a broken promise shows as a bad index.
  constexpr std::size_t broken = ~std::size_t{0};
  while (auto i = co_await f.next()) order.push_back(f.outcome(*i) != nullptr ? *i : broken);
  if (f.pending() != 0) order.push_back(broken);
  out->set_value(std::move(order));
}

template <class F>
coact::actor_ref spawn_on(coact::actor_system& system, std::uint32_t shard, F body) {
  auto ref = system.spawn(coact::spawn_options{.shard = shard}, body);
  REQUIRE(ref);
  return ref.value();
}

}  // namespace

// Proves ask_all gives every target's outcome by index: replies from both shards, and
// each kind of failure (gone, dropped, wrong type, deadline) in its own slot.
TEST_CASE("ask_all gives every outcome by target", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  const coact::actor_ref gone{0, 1, 999, 7};
  const std::vector<coact::actor_ref> targets{spawn_on(system, 0, &responder),
                                              spawn_on(system, 1, &responder),
                                              gone,
                                              spawn_on(system, 1, &dropper),
                                              spawn_on(system, 0, &wrong_type),
                                              spawn_on(system, 1, &hoarder)};
  auto out = make_slot<std::vector<std::pair<std::error_code, std::uint64_t>>>();
  auto seen = out->get_future();
  REQUIRE(system.spawn(coact::spawn_options{.shard = 0}, &ask_all_of, targets, 200ms, out));
  const auto outcomes = await(seen);
  REQUIRE(outcomes.size() == targets.size());
  CHECK(outcomes[0] == std::pair{std::error_code{}, std::uint64_t{11}});
  CHECK(outcomes[1] == std::pair{std::error_code{}, std::uint64_t{11}});
  CHECK(outcomes[2].first == coact::errc::actor_gone);
  CHECK(outcomes[3].first == coact::errc::no_reply);
  CHECK(outcomes[4].first == coact::errc::malformed_message);
  CHECK(outcomes[5].first == coact::errc::timeout);
}

// Proves ask_first yields once n replies arrived, without waiting for a target that never
// answers (its deadline is an hour: waiting for it would fail the test's own timeout).
TEST_CASE("ask_first yields the first n replies without waiting for the rest", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  const std::vector<coact::actor_ref> targets{spawn_on(system, 1, &hoarder),
                                              spawn_on(system, 0, &responder),
                                              spawn_on(system, 1, &responder)};
  auto out = make_slot<coact::first_replies>();
  auto answer = out->get_future();
  REQUIRE(system.spawn(&ask_first_of, std::size_t{2}, targets, coact::duration{1h}, out));
  const coact::first_replies first = await(answer);
  CHECK(first.met);
  REQUIRE(first.replies.size() == 2);
  CHECK(first.errors.empty());
  std::vector<std::size_t> from{first.replies[0].target, first.replies[1].target};
  std::sort(from.begin(), from.end());
  CHECK(from == std::vector<std::size_t>{1, 2});
  CHECK(first.replies[0].reply.is<coact::test::Pong>());
}

// Proves ask_first gives up as soon as n can no longer be reached, with the errors that
// decided it, again without waiting for the silent target.
TEST_CASE("ask_first yields the errors once n is out of reach", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  const std::vector<coact::actor_ref> targets{
      spawn_on(system, 1, &hoarder), spawn_on(system, 0, &dropper), coact::actor_ref{0, 1, 999, 7}};
  auto out = make_slot<coact::first_replies>();
  auto answer = out->get_future();
  REQUIRE(system.spawn(&ask_first_of, std::size_t{2}, targets, coact::duration{1h}, out));
  const coact::first_replies first = await(answer);
  CHECK_FALSE(first.met);
  CHECK(first.replies.empty());
  REQUIRE(first.errors.size() == 2);
  std::vector<std::error_code> errors{first.errors[0].error, first.errors[1].error};
  CHECK(std::count(errors.begin(), errors.end(), coact::errc::no_reply) == 1);
  CHECK(std::count(errors.begin(), errors.end(), coact::errc::actor_gone) == 1);
}

// Proves next() yields every target once, and nullopt when all are taken; with more
// targets than are kept inline.
TEST_CASE("fan_out next yields each outcome once", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  std::vector<coact::actor_ref> targets;
  for (std::uint32_t i = 0; i < 9; ++i) targets.push_back(spawn_on(system, i % 2, &responder));
  targets.push_back(coact::actor_ref{0, 0, 999, 7});
  auto out = make_slot<std::vector<std::size_t>>();
  auto order = out->get_future();
  REQUIRE(system.spawn(&each_of, targets, out));
  auto seen = await(order);
  REQUIRE(seen.size() == targets.size());
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i);
}

// Proves a fan-out abandoned before its replies come (the actor stops) leaves nothing
// behind: the late replies are dead letters, and nothing reaches a freed waiter.
TEST_CASE("a fan-out abandoned by its actor leaves late replies as dead letters", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto full = make_slot<bool>();
  auto holding = full->get_future();
  auto holder = system.spawn(&keeper, std::size_t{2}, full);
  REQUIRE(holder);
  const std::vector<coact::actor_ref> targets{holder.value(), holder.value()};
  auto out = make_slot<coact::first_replies>();
  auto asker = system.spawn(&ask_first_of, std::size_t{1}, targets, coact::duration{1h}, out);
  REQUIRE(asker);
  REQUIRE(await(holding));
  // Stopping the asker destroys its fan-out while both asks are pending; the keeper's
  // quitting then answers them (actor_gone) to an asker that is gone.
  auto asker_down = watch(system, asker.value());
  system.stop(asker.value());
  (void)await(asker_down);
  const auto before = system.counters(0).dead_letters;
  CHECK(await(watch(system, holder.value(), empty<coact::test::Quit>())).normal());
  CHECK(system.counters(0).dead_letters == before + 2);
}
