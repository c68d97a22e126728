// The leader-following client: it follows hints without pausing, gives up within its
// attempts and deadline, and tells "certainly not applied" (kv_errc::unavailable) from
// "maybe applied" (errc::timeout), which only a write can be.
#include "coact/actors/replication/leader_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/runtime/sim/world.hpp"
#include "leader_client_test.capnp.h"

using namespace std::chrono_literals;
using coact::actor_context;
using coact::duration;
using coact::envelope;
using coact::task;
using coact::time_point;
namespace replication = coact::replication;
namespace proto = coact::test::leader;

namespace {

/// How a member answers one attempt.
struct answer {
  enum class kind : std::uint8_t { done, not_leader, no_leader, unknown, silent };
  kind what = kind::done;
  std::uint32_t leader = 0;  // for not_leader
};

/// Member `id`: answers its n-th attempt with script[n], the last one from then on.
task<void> member(actor_context& self, std::uint32_t id, std::vector<answer> script) {
  // Kept unanswered: an ask dropped without a reply fails at once (no_reply), not silently.
  std::vector<envelope> held;
  for (std::size_t n = 0;; ++n) {
    envelope request = co_await self.receive();
    const answer a = script[std::min(n, script.size() - 1)];
    if (a.what == answer::kind::silent) {
      held.push_back(std::move(request));
      continue;
    }
    coact::message<proto::Answer> reply;
    reply->setMember(id);
    switch (a.what) {
      case answer::kind::done:
        reply->setDone();
        break;
      case answer::kind::not_leader:
        reply->setNotLeader(a.leader);
        break;
      case answer::kind::no_leader:
        reply->setNoLeader();
        break;
      case answer::kind::unknown:
        reply->setUnknown();
        break;
      case answer::kind::silent:
        break;
    }
    self.reply(request, std::move(reply));
  }
}

replication::verdict judge(const envelope& e) {
  const auto a = e.get<proto::Answer>();
  switch (a.which()) {
    case proto::Answer::DONE:
      return {};
    case proto::Answer::NOT_LEADER:
      return {.what = replication::verdict::kind::refused, .leader = a.getNotLeader()};
    case proto::Answer::NO_LEADER:
      return {.what = replication::verdict::kind::refused};
    case proto::Answer::UNKNOWN:
      return {.what = replication::verdict::kind::unknown};
  }
  return {};
}

/// What one operation came to.
struct outcome {
  std::optional<std::uint32_t> answered_by;  // the member whose answer was done
  std::error_code error;
  std::uint64_t requests = 0;
  duration took{};
};

task<void> client(actor_context& self, std::vector<coact::actor_ref> members,
                  replication::retry_options options, bool write, outcome* out) {
  // Client 3 of members 0, 1, 2 asks member 0 first.
  replication::leader_client c({0, 1, 2}, 3, options);
  const replication::leader_client::locator where = [&members](std::uint32_t node) {
    return members[node];
  };
  const std::function<envelope()> build = [] { return coact::message<proto::Attempt>{}.take(); };
  const std::function<replication::verdict(const envelope&)> judged = &judge;
  const time_point start = self.now();
  auto r = co_await c.submit(self, where, build, capnp::typeId<proto::Answer>(), judged, write);
  out->took = self.now() - start;
  out->requests = c.requests_sent();
  if (r) {
    out->answered_by = r.value().get<proto::Answer>().getMember();
  } else {
    out->error = r.error();
  }
}

/// One operation against members 0, 1, 2 answering by `scripts`, on one simulated node.
outcome run(const std::vector<std::vector<answer>>& scripts, replication::retry_options options,
            bool write) {
  coact::sim::world w{1};
  outcome out;
  w.add_node({.name = "n"}, [&](coact::actor_system& system, coact::sim::node_id) {
    std::vector<coact::actor_ref> members;
    for (std::uint32_t id = 0; id < scripts.size(); ++id) {
      members.push_back(system.spawn(&member, id, scripts[id]).value());
    }
    (void)system.spawn(&client, members, options, write, &out);
  });
  w.run_until(time_point{10s});
  return out;
}

constexpr replication::retry_options quick{
    .attempts_max = 5, .attempt_timeout = 10ms, .deadline = 1s, .retry_backoff = 5ms};

const answer done{};
const answer no_leader{.what = answer::kind::no_leader};
const answer unknown{.what = answer::kind::unknown};
const answer silent{.what = answer::kind::silent};

}  // namespace

TEST_CASE("leader_client follows a not-leader hint at once", "[actors][replication]") {
  const auto out =
      run({{{.what = answer::kind::not_leader, .leader = 2}}, {done}, {done}}, quick, true);
  CHECK(out.answered_by == 2u);
  CHECK(out.requests == 2);
  CHECK(out.took < quick.retry_backoff);  // a known leader is asked without a pause
}

TEST_CASE("leader_client tries the next member, after a pause, when none is known",
          "[actors][replication]") {
  const auto out = run({{no_leader}, {done}, {done}}, quick, false);
  CHECK(out.answered_by == 1u);
  CHECK(out.requests == 2);
  CHECK(out.took >= quick.retry_backoff);
}

TEST_CASE("leader_client: refusals everywhere end in unavailable after attempts_max",
          "[actors][replication]") {
  for (const bool write : {false, true}) {
    INFO((write ? "write" : "read"));
    const auto out = run({{no_leader}, {no_leader}, {no_leader}}, quick, write);
    CHECK_FALSE(out.answered_by);
    // Refused before anything was appended: certainly not applied, even for a write.
    CHECK(out.error == coact::kv::kv_errc::unavailable);
    CHECK(out.requests == quick.attempts_max);
  }
}

TEST_CASE("leader_client: a write of unknown outcome is retried, or ends maybe applied",
          "[actors][replication]") {
  SECTION("retried: the token makes it apply once, so the next member may answer") {
    const auto out = run({{unknown}, {done}, {done}}, quick, true);
    CHECK(out.answered_by == 1u);
    CHECK(out.requests == 2);
  }
  SECTION("not retried (retry_maybe_applied off): errc::timeout after one attempt") {
    replication::retry_options once = quick;
    once.retry_maybe_applied = false;
    const auto out = run({{unknown}, {done}, {done}}, once, true);
    CHECK_FALSE(out.answered_by);
    CHECK(out.error == coact::errc::timeout);
    CHECK(out.requests == 1);
  }
  SECTION("refused after it may have been appended: still maybe applied") {
    const auto out = run({{unknown}, {no_leader}, {no_leader}}, quick, true);
    CHECK(out.error == coact::errc::timeout);
    CHECK(out.requests == quick.attempts_max);
  }
}

TEST_CASE("leader_client: a read answered unknown was refused, never maybe applied",
          "[actors][replication]") {
  replication::retry_options once = quick;
  once.retry_maybe_applied = false;
  for (const auto& options : {quick, once}) {
    const auto out = run({{unknown}, {unknown}, {unknown}}, options, false);
    CHECK(out.error == coact::kv::kv_errc::unavailable);
    CHECK(out.requests == quick.attempts_max);
  }
}

TEST_CASE(
    "leader_client: silence ends a write maybe applied and a read unavailable, by the "
    "deadline",
    "[actors][replication]") {
  replication::retry_options bounded = quick;
  bounded.attempts_max = 100;
  bounded.deadline = 45ms;
  for (const bool write : {false, true}) {
    INFO((write ? "write" : "read"));
    const auto out = run({{silent}, {silent}, {silent}}, bounded, write);
    CHECK(out.error == (write ? std::error_code{coact::errc::timeout}
                              : std::error_code{coact::kv::kv_errc::unavailable}));
    // Attempts at 0, 15 and 30 ms (10 ms each, 5 ms apart); the deadline stops the fourth.
    CHECK(out.requests == 3);
    CHECK(out.took <= bounded.deadline + bounded.retry_backoff);
  }
}
