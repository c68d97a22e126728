// Links: an abnormal stop of one linked actor stops the other with the same reason, unless
// the other traps exits (then it gets sys::Exit); a normal stop does not propagate.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

struct exit_seen {
  coact::actor_ref from;
  coact::stop_reason reason;
};
using exit_log = std::shared_ptr<channel<exit_seen>>;

/// Links to `peer` (trapping exits if asked), then answers Ping, reports every sys::Exit
/// to `exits`, and on Get unlinks from `peer` and answers Total{0}.
coact::task<void> linked(coact::actor_context& self, coact::actor_ref peer, bool trap,
                         exit_log exits) {
  self.trap_exit(trap);
  self.link(peer);
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Ping>()) {
      self.reply(e, coact::message<coact::test::Pong>{});
    } else if (e.is<coact::sys::Exit>()) {
      const auto x = e.get<coact::sys::Exit>();
      exits->push({coact::ref_of(x.getActor()), coact::reason_of(x.getReason())});
    } else if (e.is<coact::test::Get>()) {
      self.unlink(peer);
      self.reply(e, coact::message<coact::test::Total>{});
    }
  }
}

starter start_linked(coact::actor_ref peer, bool trap, exit_log exits, std::uint32_t shard) {
  return [=](coact::actor_system& system) {
    return system.spawn(coact::spawn_options{.shard = shard}, &linked, peer, trap, exits);
  };
}

bool answers(coact::actor_system& system, coact::actor_ref ref) {
  return static_cast<bool>(system.ask_blocking<coact::test::Pong>(ref, ping(), wait_max));
}

}  // namespace

// Proves a linked actor's failure stops the other actor (across shards), with the failure
// as its reason.
TEST_CASE("an abnormal stop of a linked actor stops the other", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto exits = std::make_shared<channel<exit_seen>>();
  auto b = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(b);
  auto a = spawn_watched(system, start_linked(b.value(), false, exits, 0), 0);
  // A linked before it answered, so the link reaches B before anything sent from now on.
  REQUIRE(answers(system, a.ref));
  auto b_down = watch(system, b.value(), crash("boom"));
  CHECK(await(b_down).code == coact::errc::actor_failed);
  const coact::stop_reason a_reason = await(a.down);
  CHECK(a_reason.code == coact::errc::actor_failed);
  CHECK(a_reason.what.find("linked actor stopped") != std::string::npos);
  CHECK_FALSE(answers(system, a.ref));
  CHECK_FALSE(exits->pop(0ms).has_value());
}

// Proves a stop on request propagates along a link with its reason too.
TEST_CASE("stopping a linked actor stops the other with the same reason", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto exits = std::make_shared<channel<exit_seen>>();
  auto b = system.spawn(coact::spawn_options{.shard = 0}, &responder);
  REQUIRE(b);
  auto a = spawn_watched(system, start_linked(b.value(), false, exits, 1), 1);
  REQUIRE(answers(system, a.ref));
  system.stop(b.value(), coact::errc::killed);
  CHECK(await(a.down).code == coact::errc::killed);
}

// Proves an actor that traps exits gets sys::Exit (with the failed actor and its reason)
// instead of stopping.
TEST_CASE("trap_exit turns a linked actor's failure into a sys::Exit message", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto exits = std::make_shared<channel<exit_seen>>();
  auto b = system.spawn(coact::spawn_options{.shard = 1}, &responder);
  REQUIRE(b);
  auto a = system.spawn(coact::spawn_options{.shard = 0}, &linked, b.value(), true, exits);
  REQUIRE(a);
  REQUIRE(answers(system, a.value()));
  REQUIRE(system.tell(b.value(), crash("boom")));
  const auto exit = exits->pop();
  REQUIRE(exit);
  CHECK(exit->from == b.value());
  CHECK(exit->reason.code == coact::errc::actor_failed);
  CHECK(exit->reason.what == "boom");
  CHECK(answers(system, a.value()));
}

// Proves a normal stop does not propagate: the linked actor that does not trap exits keeps
// running, and one that traps exits is told of a normal stop.
TEST_CASE("a normal stop of a linked actor does not propagate", "[runtime]") {
  // One shard: B's stop reaches both linked actors before anything sent afterwards.
  coact::actor_system system{{.shard_count = 1}};
  auto exits = std::make_shared<channel<exit_seen>>();
  auto b = system.spawn(&responder);
  REQUIRE(b);
  auto plain = system.spawn(&linked, b.value(), false, exits);
  auto trapping = system.spawn(&linked, b.value(), true, exits);
  REQUIRE(plain);
  REQUIRE(trapping);
  REQUIRE(answers(system, plain.value()));
  REQUIRE(answers(system, trapping.value()));
  CHECK(await(watch(system, b.value(), empty<coact::test::Quit>())).normal());
  const auto exit = exits->pop();
  REQUIRE(exit);
  CHECK(exit->from == b.value());
  CHECK(exit->reason.normal());
  CHECK(answers(system, plain.value()));
  CHECK(answers(system, trapping.value()));
}

// Proves unlink removes the link both ways: a failure after it no longer propagates.
TEST_CASE("after unlink a failure no longer propagates", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto exits = std::make_shared<channel<exit_seen>>();
  auto b = system.spawn(&responder);
  REQUIRE(b);
  auto a = system.spawn(&linked, b.value(), false, exits);
  REQUIRE(a);
  REQUIRE(system.ask_blocking<coact::test::Total>(a.value(), empty<coact::test::Get>(),
                                                  wait_max));  // unlinks
  CHECK(await(watch(system, b.value(), crash("boom"))).code == coact::errc::actor_failed);
  CHECK(answers(system, a.value()));
}
