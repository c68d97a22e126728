// Ordering and delivery: messages from one sender to one receiver arrive in the order
// sent, on one shard and across shards, and many-to-many traffic between all shards is
// delivered exactly once.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Expects `expected` messages from each of `senders` senders (Add.from), each sender's
/// seq counting up from 0. Publishes "" when all came exactly once and in order, or what
/// went wrong.
struct checker {
  explicit checker(std::size_t senders, std::uint64_t expected)
      : next(senders, 0), expected(expected) {}
  std::vector<std::uint64_t> next;
  std::uint64_t expected;
  std::uint64_t received = 0;
  std::string error;

  [[nodiscard]] bool complete() const { return received == next.size() * expected; }
  void take(const coact::envelope& e) {
    ++received;
    if (!e.is<coact::test::Add>()) {
      note("a message of an unexpected type");
      return;
    }
    const auto a = e.get<coact::test::Add>();
    if (a.getFrom() >= next.size()) {
      note("an unknown sender " + std::to_string(a.getFrom()));
    } else if (a.getSeq() != next[a.getFrom()]) {
      note("from sender " + std::to_string(a.getFrom()) + " seq " + std::to_string(a.getSeq()) +
           " where " + std::to_string(next[a.getFrom()]) + " was due");
      next[a.getFrom()] = a.getSeq() + 1;
    } else {
      ++next[a.getFrom()];
    }
  }
  [[nodiscard]] std::string verdict() const {
    if (!error.empty()) return error;
    for (std::size_t s = 0; s < next.size(); ++s) {
      if (next[s] != expected) {
        return "sender " + std::to_string(s) + " delivered " + std::to_string(next[s]) + " of " +
               std::to_string(expected);
      }
    }
    return {};
  }
  void note(std::string what) {
    if (error.empty()) error = std::move(what);
  }
};

/// Hands `check` each message that comes until it is complete, or until none comes for
/// wait_max. `check` must outlive the awaited task.
coact::task<void> receive_into(coact::actor_context& self, checker& check) {
  while (!check.complete()) {
    auto e = co_await self.receive_for(wait_max);
    if (!e) {
      check.note("timed out after " + std::to_string(check.received) + " messages");
      break;
    }
    check.take(e.value());
  }
}

coact::task<void> receiver(coact::actor_context& self, std::uint64_t count, slot<std::string> out) {
  checker check{1, count};
  co_await receive_into(self, check);
  out->set_value(check.verdict());
}

/// Sends `count` numbered Adds to `target`, yielding now and then so that the target and
/// other actors run in between.
coact::task<void> sender(coact::actor_context& self, coact::actor_ref target, std::uint64_t count) {
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    self.tell(target, add(0, 0, seq));
    if (seq % 7 == 6) co_await self.yield();
  }
}

/// Sends `count` numbered Adds to `target` in a single turn, then sleeps far longer than
/// the test waits: what one turn sends must leave when the turn ends, not at the next.
coact::task<void> burst_sender(coact::actor_context& self, coact::actor_ref target,
                               std::uint64_t count) {
  for (std::uint64_t seq = 0; seq < count; ++seq) self.tell(target, add(0, 0, seq));
  co_await self.sleep(10 * wait_max);
}

/// One of the all-to-all actors: waits for Go (the peer list is complete by then), sends
/// `count` numbered messages to every peer (itself included), and checks what it receives.
coact::task<void> peer(coact::actor_context& self, std::uint32_t index,
                       const std::vector<coact::actor_ref>* peers, std::uint64_t count,
                       slot<std::string> out) {
  auto go = co_await self.receive<coact::test::Go>(wait_max);
  if (!go) {
    out->set_value("no Go");
    co_return;
  }
  checker check{peers->size(), count};
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    for (const coact::actor_ref& to : *peers) {
      if (auto sent = self.try_tell(to, add(1, index, seq)); !sent) {
        check.note("tell failed: " + sent.error().message());
      }
    }
    if (seq % 4 == 3) co_await self.yield();
  }
  co_await receive_into(self, check);
  out->set_value(check.verdict());
}

/// Runs `send` (sender or burst_sender) on shard `sender_shard` of a two-shard system, telling
/// `count` messages to a receiver on shard 1; answers the receiver's verdict.
std::string run_one_sender(coact::task<void> (*send)(coact::actor_context&, coact::actor_ref,
                                                     std::uint64_t),
                           std::uint32_t sender_shard, std::uint64_t count) {
  coact::actor_system system{{.shard_count = 2}};
  auto out = make_slot<std::string>();
  auto verdict = out->get_future();
  auto r = system.spawn(coact::spawn_options{.shard = 1}, &receiver, count, out);
  REQUIRE(r);
  REQUIRE(system.spawn(coact::spawn_options{.shard = sender_shard}, send, r.value(), count));
  return await(verdict);
}

}  // namespace

// Proves messages from one actor to another on the same shard arrive in the order sent.
TEST_CASE("messages between two actors on one shard arrive in send order", "[runtime]") {
  constexpr std::uint64_t count = 2000;
  CHECK(run_one_sender(&sender, 1, count).empty());
}

// Proves messages from one actor to another on another shard arrive in the order sent.
TEST_CASE("messages between two actors on different shards arrive in send order", "[runtime]") {
  constexpr std::uint64_t count = 2000;
  CHECK(run_one_sender(&sender, 0, count).empty());
}

// Proves that a turn sending many batches' worth of messages to another shard delivers all
// of them, in order, as soon as the turn ends (regression: cross-shard sends are batched).
TEST_CASE("one turn's burst to another shard arrives whole, in order, at the turn's end",
          "[runtime]") {
  const std::uint64_t count = GENERATE(1u, 63u, 64u, 65u, 1000u);
  CAPTURE(count);
  CHECK(run_one_sender(&burst_sender, 0, count).empty());
}

// Proves messages told from outside the system keep the order of the sending thread.
TEST_CASE("messages told from one outside thread arrive in send order", "[runtime]") {
  constexpr std::uint64_t count = 1000;
  coact::actor_system system{{.shard_count = 2}};
  auto out = make_slot<std::string>();
  auto verdict = out->get_future();
  auto r = system.spawn(coact::spawn_options{.shard = 1}, &receiver, count, out);
  REQUIRE(r);
  for (std::uint64_t seq = 0; seq < count; ++seq) REQUIRE(system.tell(r.value(), add(0, 0, seq)));
  CHECK(await(verdict).empty());
}

// Proves that with every actor on every shard sending to every actor at once, each
// receiver gets each (sender, seq) exactly once and each sender's messages in order.
TEST_CASE("all shards sending to all shards at once deliver exactly once, in order", "[runtime]") {
  const std::uint32_t shards = GENERATE(2u, 4u);
  constexpr std::uint32_t actors_per_shard = 3;
  constexpr std::uint64_t count = 100;  // per sender and receiver
  CAPTURE(shards);
  coact::actor_system system{{.shard_count = shards}};
  const std::uint32_t actors = shards * actors_per_shard;

  std::vector<coact::actor_ref> peers;
  std::vector<std::future<std::string>> verdicts;
  peers.reserve(actors);
  for (std::uint32_t i = 0; i < actors; ++i) {
    auto out = make_slot<std::string>();
    verdicts.push_back(out->get_future());
    // Peers read `peers` only after Go, which is sent once the list is complete.
    auto ref =
        system.spawn(coact::spawn_options{.shard = i % shards}, &peer, i, &peers, count, out);
    REQUIRE(ref);
    peers.push_back(ref.value());
  }
  const auto before = system.counters();
  for (const auto& p : peers) REQUIRE(system.tell(p, empty<coact::test::Go>()));
  for (std::uint32_t i = 0; i < actors; ++i) {
    CAPTURE(i);
    CHECK(await(verdicts[i], 60s) == "");
  }
  const std::uint64_t expected = std::uint64_t{actors} * actors * count;
  CHECK(system.counters().messages_delivered - before.messages_delivered >= expected);
  CHECK(system.counters().dead_letters == 0);
  CHECK(system.counters().mailbox_rejected == 0);
}
