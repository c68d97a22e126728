// The deterministic simulator: the runtime's actors run across simulated nodes in virtual
// time; the same seed replays the same run; crashes, restarts, pauses and clock skew
// behave as documented.
#include "coact/runtime/sim/world.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "../test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;
using coact::actor_context;
using coact::actor_ref;
using coact::duration;
using coact::task;
using coact::time_point;
namespace sim = coact::sim;

namespace {

constexpr time_point forever{duration::max()};

/// What an asker saw: per ask, the error (or none) and the true time it completed.
struct ask_log {
  std::vector<std::error_code> errors;
  std::vector<std::uint64_t> values;
  std::vector<time_point> times;
};

/// Asks `*target` (read anew before every ask, so a test can repoint it) `count` times,
/// `gap` apart, each with `timeout`.
task<void> asker(actor_context& self, const actor_ref* target, int count, duration gap,
                 duration timeout, ask_log* log, const sim::world* w) {
  for (int i = 0; i < count; ++i) {
    auto r = co_await self.ask<coact::test::Pong>(*target, ping(i), timeout);
    log->errors.push_back(r ? std::error_code{} : r.error());
    log->values.push_back(r ? r.value().get<coact::test::Pong>().getN() : 0);
    log->times.push_back(w->now());
    co_await self.sleep(gap);
  }
}

task<void> sleeper(actor_context& self, duration nap, std::vector<time_point>* woke,
                   const sim::world* w) {
  co_await self.sleep(nap);
  woke->push_back(w->now());
}

task<void> clock_reader(actor_context& self, std::vector<time_point>* readings) {
  readings->push_back(self.now());
  co_await self.sleep(10ms);
  readings->push_back(self.now());
}

sim::world::boot_function responder_boot(actor_ref* slot) {
  return [slot](coact::actor_system& system, sim::node_id) {
    *slot = system.spawn(&responder).value();
  };
}

/// Random delays (uniform 0-5 ms), 10% loss and 5% duplication, from the world's seed.
class lossy_links final : public sim::link_model {
 public:
  explicit lossy_links(coact::prng r) : random_(r) {}
  void plan(sim::node_id, sim::node_id, std::uint64_t, time_point,
            std::vector<duration>& arrivals) override {
    if (random_.chance(0.10)) return;
    arrivals.push_back(duration{random_.between(0, 5'000'000)});
    if (random_.chance(0.05)) arrivals.push_back(duration{random_.between(0, 5'000'000)});
  }

 private:
  coact::prng random_;
};

/// Sends numbered Adds to random peers at random intervals; every node logs what arrives.
task<void> chatter(actor_context& self, const std::vector<actor_ref>* peers, coact::prng r,
                   int count) {
  for (int i = 0; i < count; ++i) {
    co_await self.sleep(duration{r.between(0, 2'000'000)});
    const actor_ref to = (*peers)[r.below(peers->size())];
    self.tell(to, add(i, self.ref().node, static_cast<std::uint64_t>(i)));
  }
}

task<void> listener(actor_context& self, std::string* trace, const sim::world* w) {
  for (;;) {
    auto e = co_await self.receive();
    const auto a = e.get<coact::test::Add>();
    *trace += std::to_string(w->now().since_epoch.count()) + ":" + std::to_string(self.ref().node) +
              "<" + std::to_string(a.getFrom()) + "#" + std::to_string(a.getSeq()) + "\n";
  }
}

/// One run of a 3-node chatty topology over a lossy network: its trace of arrivals.
std::string chatty_run(std::uint64_t seed) {
  sim::world w{seed, std::make_shared<lossy_links>(coact::prng{seed}.split("net"))};
  std::vector<actor_ref> listeners(3);
  std::string trace;
  for (sim::node_id n = 0; n < 3; ++n) {
    w.add_node({.name = "n" + std::to_string(n)},
               [&, n](coact::actor_system& system, sim::node_id) {
                 listeners[n] = system.spawn(&listener, &trace, &w).value();
                 (void)system.spawn(&chatter, &listeners, w.stream("node" + std::to_string(n)), 50);
               });
  }
  w.run_until(forever);
  return trace;
}

}  // namespace

// Proves an ask between two simulated nodes takes exactly the network's round trip in
// virtual time and gets the right answer.
TEST_CASE("an ask across simulated nodes takes one virtual round trip", "[runtime][sim]") {
  sim::world w{1, std::make_shared<sim::fixed_delay_links>(1ms)};
  actor_ref echo;
  ask_log log;
  w.add_node({.name = "server"}, responder_boot(&echo));
  w.add_node({.name = "client"}, [&](coact::actor_system& system, sim::node_id) {
    (void)system.spawn(&asker, &echo, 3, 0ms, 1s, &log, &w);
  });
  CHECK(echo.node == 0);
  w.run_until(forever);
  REQUIRE(log.errors.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(log.errors[i]);
    CHECK(log.values[i] == static_cast<std::uint64_t>(i) + 1);
    CHECK(log.times[i] == time_point{2ms * (i + 1)});
  }
}

// Proves timers run in virtual time: a ten-minute sleep ends at once, at exactly ten
// minutes, and run_until stops the clock at its limit.
TEST_CASE("timers fire in virtual time", "[runtime][sim]") {
  sim::world w{1};
  std::vector<time_point> woke;
  w.add_node({}, [&](coact::actor_system& system, sim::node_id) {
    (void)system.spawn(&sleeper, duration{10min}, &woke, &w);
  });
  w.run_until(time_point{5min});
  CHECK(woke.empty());
  CHECK(w.now() == time_point{5min});
  w.run_until(forever);
  REQUIRE(woke.size() == 1);
  CHECK(woke[0] == time_point{10min});
}

// Proves the same seed replays the same run event for event, and another seed differs.
TEST_CASE("the same seed replays the same history", "[runtime][sim]") {
  const std::uint64_t seed = GENERATE(1u, 2u, 3u);
  CAPTURE(seed);
  const std::string first = chatty_run(seed);
  CHECK(first.size() > 100);
  CHECK(chatty_run(seed) == first);
  CHECK(chatty_run(seed + 100) != first);
}

// Proves a crashed node answers nothing (asks time out), and after a restart its old
// references miss (actor_gone) while the new incarnation's actors answer.
TEST_CASE("a crashed node is silent and a restarted one has new references", "[runtime][sim]") {
  sim::world w{1, std::make_shared<sim::fixed_delay_links>(1ms)};
  actor_ref echo;
  actor_ref target;
  ask_log log;
  const sim::node_id server = w.add_node({.name = "server"}, responder_boot(&echo));
  target = echo;
  const actor_ref first_echo = echo;
  w.add_node({.name = "client"}, [&](coact::actor_system& system, sim::node_id) {
    (void)system.spawn(&asker, &target, 6, 10ms, 5ms, &log, &w);
  });
  // Asks at 0, 12, 24 (crash at 20: timeout at 29), 39 (restart at 35: old ref misses),
  // then the new reference from 50 on.
  w.at(time_point{20ms}, [&] { w.crash(server); });
  w.at(time_point{35ms}, [&] { w.restart(server); });
  w.at(time_point{50ms}, [&] { target = echo; });
  w.run_until(forever);
  CHECK(w.incarnation(server) == 1);
  CHECK(echo != first_echo);
  REQUIRE(log.errors.size() == 6);
  CHECK_FALSE(log.errors[0]);
  CHECK_FALSE(log.errors[1]);
  CHECK(log.errors[2] == coact::errc::timeout);
  CHECK(log.errors[3] == coact::errc::actor_gone);
  CHECK_FALSE(log.errors[5]);
}

// Proves a paused node runs neither actors nor timers until resumed, and keeps what was
// sent to it meanwhile.
TEST_CASE("a paused node freezes and catches up on resume", "[runtime][sim]") {
  sim::world w{1, std::make_shared<sim::fixed_delay_links>(1ms)};
  actor_ref echo;
  std::vector<time_point> woke;
  ask_log log;
  const sim::node_id server =
      w.add_node({.name = "server"}, [&](coact::actor_system& system, sim::node_id) {
        echo = system.spawn(&responder).value();
        (void)system.spawn(&sleeper, duration{10ms}, &woke, &w);
      });
  const sim::node_id client = w.add_node({.name = "client"}, nullptr);
  // The sleeper's timer is armed at 0 and due at 10 ms, in the middle of the pause; the
  // ask arrives at 7 ms, also during it.
  w.at(time_point{5ms}, [&] { w.pause(server); });
  w.at(time_point{6ms},
       [&] { (void)w.system(client)->spawn(&asker, &echo, 1, 0ms, 1s, &log, &w); });
  w.at(time_point{50ms}, [&] { w.resume(server); });
  w.run_until(forever);
  REQUIRE(woke.size() == 1);
  CHECK(woke[0] == time_point{50ms});
  REQUIRE(log.errors.size() == 1);
  CHECK_FALSE(log.errors[0]);
  CHECK(log.times[0] == time_point{51ms});
}

// Proves a node's actors read its skewed clock while its timers keep true durations
// (to within the drift).
TEST_CASE("a skewed node reads its own clock", "[runtime][sim]") {
  sim::world w{1};
  std::vector<time_point> readings;
  w.add_node({.clock_offset = 1s, .clock_drift_ppm = 1000},
             [&](coact::actor_system& system, sim::node_id) {
               (void)system.spawn(&clock_reader, &readings);
             });
  w.run_until(forever);
  REQUIRE(readings.size() == 2);
  CHECK(readings[0] == time_point{1s});
  CHECK(readings[1] - readings[0] == 10ms);
  // 10 ms on a clock 1000 ppm fast is a little less than 10 ms of true time.
  CHECK(w.now() < time_point{10ms});
  CHECK(w.now() > time_point{9900us});
}
