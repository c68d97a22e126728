// Checkers against the simulator: a correct register served across a simulated network
// is linearizable in every seed, and a register that is wrong on purpose is caught by the
// right checker within a few seeds. Seeds print on failure and replay exactly.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "coact/check/history_json.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/recorder.hpp"
#include "coact/check/session_guarantees.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/runtime/sim/world.hpp"
#include "register.capnp.h"
#include "sim_seeds.hpp"

using namespace std::chrono_literals;
using coact::actor_context;
using coact::actor_ref;
using coact::duration;
using coact::task;
using coact::check::datum;
using coact::check::event_type;
using coact::check::op_kind;
namespace sim = coact::sim;
namespace reg = coact::test::reg;

namespace {

enum class register_bug { none, lose_writes, stale_reads };

/// The register. With a bug it acknowledges a write it then forgets (one in five), or
/// answers a read with the value before the last write (one in three).
task<void> register_server(actor_context& self, register_bug bug, coact::prng random) {
  std::optional<std::int64_t> value;
  std::optional<std::int64_t> previous;
  for (;;) {
    auto e = co_await self.receive();
    if (e.is<reg::Write>()) {
      if (bug != register_bug::lose_writes || !random.chance(0.2)) {
        previous = value;
        value = e.get<reg::Write>().getValue();
      }
      self.reply(e, coact::message<reg::Ack>{});
    } else if (e.is<reg::Read>()) {
      const bool stale = bug == register_bug::stale_reads && random.chance(0.33);
      const auto& served = stale ? previous : value;
      coact::message<reg::Value> answer;
      answer->setPresent(served.has_value());
      answer->setValue(served.value_or(0));
      self.reply(e, std::move(answer));
    }
  }
}

/// A client process: `ops` reads and writes of unique values, recorded as it goes. A
/// write without an answer may have happened (info); a read without one constrains
/// nothing (fail).
task<void> register_client(actor_context& self, actor_ref server, std::int64_t process, int ops,
                           coact::prng random, coact::check::recorder* log) {
  for (int i = 0; i < ops; ++i) {
    co_await self.sleep(duration{random.between(0, 3'000'000)});
    if (random.chance(0.5)) {
      const std::int64_t v = process * 1000 + i;
      log->invoke(process, op_kind::write, "", v);
      coact::message<reg::Write> w;
      w->setValue(v);
      auto r = co_await self.ask<reg::Ack>(server, std::move(w), 20ms);
      log->complete(process, r ? event_type::ok : event_type::info, op_kind::write, "", v);
    } else {
      log->invoke(process, op_kind::read, "");
      auto r = co_await self.ask<reg::Value>(server, coact::message<reg::Read>{}, 20ms);
      if (!r) {
        log->complete(process, event_type::fail, op_kind::read, "");
        continue;
      }
      const auto v = r.value().get<reg::Value>();
      log->complete(process, event_type::ok, op_kind::read, "",
                    v.getPresent() ? datum{v.getValue()} : datum{});
    }
  }
}

/// Delays uniform in [0.1, 3] ms (so messages overtake each other) and 2% loss.
class jittery_links final : public sim::link_model {
 public:
  explicit jittery_links(coact::prng random) : random_(random) {}
  void plan(sim::node_id, sim::node_id, std::uint64_t, coact::time_point,
            std::vector<duration>& arrivals) override {
    if (random_.chance(0.02)) return;
    arrivals.push_back(duration{random_.between(100'000, 3'000'000)});
  }

 private:
  coact::prng random_;
};

/// One simulated run over `links`: a register on node 0, four clients on nodes 1-4. Its
/// history.
coact::check::history run_over(sim::world& w, register_bug bug) {
  coact::check::recorder log{w.true_clock()};
  actor_ref server;
  w.add_node({.name = "register"}, [&](coact::actor_system& system, sim::node_id) {
    server = system.spawn(&register_server, bug, w.stream("register")).value();
  });
  for (std::int64_t p = 1; p <= 4; ++p) {
    w.add_node({.name = "client" + std::to_string(p)},
               [&, p](coact::actor_system& system, sim::node_id) {
                 (void)system.spawn(&register_client, server, p, 40,
                                    w.stream("client" + std::to_string(p)), &log);
               });
  }
  w.run_until(coact::time_point{duration::max()});
  return log.snapshot();
}

coact::check::history run(std::uint64_t seed, register_bug bug) {
  sim::world w{seed, std::make_shared<jittery_links>(coact::prng{seed}.split("net"))};
  return run_over(w, bug);
}

/// The same run over coact's simulated network at its harshest short of duplication:
/// Pareto-tailed delays, no FIFO, 5% loss, and partitions of every kind at random.
coact::check::history run_with_partitions(std::uint64_t seed) {
  namespace nsim = coact::net::sim;
  auto network = std::make_shared<nsim::network>(coact::prng{seed}.split("net"));
  REQUIRE(network->set_defaults(
      {.delay = nsim::delay_distribution::lnkd_ssd(), .loss_probability = 0.05, .fifo = false}));
  sim::world w{seed, network};
  REQUIRE(network->start_chaos(
      w, {.mean_between = 20ms, .mean_length = 30ms, .until = coact::time_point{2s}}));
  auto h = run_over(w, register_bug::none);
  CHECK(network->counters().partitions_started > 0);
  return h;
}

using coact::test::seeds;

std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/check/check_tests");
}

bool linearizable(const coact::check::history& h) {
  auto report = coact::check::check_linearizability(h);
  REQUIRE(report);
  REQUIRE(report.value().outcome != coact::check::verdict::unknown);
  return report.value().outcome == coact::check::verdict::linearizable;
}

}  // namespace

// Proves a correct register over a jittery, lossy network gives linearizable histories in
// every seed, recorded with unknown outcomes where asks timed out.
TEST_CASE("a correct simulated register is linearizable in every seed", "[check][sim]") {
  for (const std::uint64_t seed : seeds(20)) {
    INFO(rerun_hint(seed));
    const auto h = run(seed, register_bug::none);
    CHECK(h.size() == 4 * 40 * 2);
    CHECK(linearizable(h));
    auto session = coact::check::check_session_guarantees(h);
    REQUIRE(session);
    CHECK(session.value().valid());
  }
}

// Proves a correct register stays linearizable under random partitions, loss and
// reordering (a duplicated write could legitimately undo a newer one, so no duplication).
TEST_CASE("a correct simulated register is linearizable under partitions", "[check][sim]") {
  for (const std::uint64_t seed : seeds(10)) {
    INFO(rerun_hint(seed));
    CHECK(linearizable(run_with_partitions(seed)));
  }
}

// Proves the same seed records the same history byte for byte, and another seed another.
TEST_CASE("a simulated run replays its history byte for byte", "[check][sim]") {
  const auto as_text = [](const coact::check::history& h) {
    std::ostringstream out;
    coact::check::write_json_lines(out, h);
    return out.str();
  };
  const std::string first = as_text(run(7, register_bug::none));
  CHECK(as_text(run(7, register_bug::none)) == first);
  CHECK(as_text(run(8, register_bug::none)) != first);
}

// Proves a register that acknowledges writes it forgets is caught by the linearizability
// checker within a few seeds.
TEST_CASE("a register that loses writes is caught by linearizability", "[check][sim]") {
  std::optional<std::uint64_t> caught;
  for (const std::uint64_t seed : seeds(5)) {
    if (!linearizable(run(seed, register_bug::lose_writes))) {
      caught = seed;
      break;
    }
  }
  REQUIRE(caught);
  WARN("lost writes caught in " << rerun_hint(*caught));
}

// Proves a register that serves stale reads is caught by the session checker (a client
// reads an older value than it wrote or read before) and by linearizability.
TEST_CASE("a register that serves stale reads is caught by the session checker", "[check][sim]") {
  std::optional<std::uint64_t> caught;
  for (const std::uint64_t seed : seeds(5)) {
    const auto h = run(seed, register_bug::stale_reads);
    auto session = coact::check::check_session_guarantees(h);
    REQUIRE(session);
    if (!session.value().valid()) {
      CHECK_FALSE(linearizable(h));
      caught = seed;
      break;
    }
  }
  REQUIRE(caught);
  WARN("stale reads caught in " << rerun_hint(*caught));
}
