// The simulated network: loss and duplication happen at their configured rates, FIFO
// links never reorder and non-FIFO ones do, per-link settings override the defaults,
// a message's payload type can pick its own delay, the same seed plans the same arrivals
// and the same random faults, and actors in a world asking across a partition time out
// during it and get answers after the heal.
#include "coact/net/sim/network.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "../../runtime/test_support.hpp"

using namespace std::chrono_literals;
using coact::actor_context;
using coact::actor_ref;
using coact::duration;
using coact::task;
using coact::time_point;
using coact::net::sim::delay_distribution;
using coact::net::sim::link_settings;
using coact::net::sim::network;
using coact::net::sim::node_id;
using coact::net::sim::partition;
using coact::net::sim::pbs_model;
namespace sim = coact::sim;

namespace {

constexpr std::uint64_t seed = 424242;
constexpr time_point forever{duration::max()};
constexpr int message_count = 100'000;
/// Payload type ids for the per-type delays: no link has an entry for other_type.
constexpr std::uint64_t write_type = 0xa1b2c3d4e5f60718;
constexpr std::uint64_t other_type = 0x1122334455667788;

/// Plans one message from 0 to 1 every 10 µs; the arrival instants of every copy.
std::vector<time_point> send_many(network& net, int count) {
  std::vector<time_point> out;
  std::vector<duration> arrivals;
  for (int i = 0; i < count; ++i) {
    const time_point now{10us * i};
    arrivals.clear();
    net.plan(0, 1, other_type, now, arrivals);
    for (const duration d : arrivals) out.push_back(now + d);
  }
  return out;
}

/// How many adjacent pairs arrive out of sending order.
int inversions(const std::vector<time_point>& arrivals) {
  int n = 0;
  for (std::size_t i = 1; i < arrivals.size(); ++i) n += arrivals[i] < arrivals[i - 1] ? 1 : 0;
  return n;
}

}  // namespace

// Proves the loss probability is the measured loss rate, and lost messages are counted.
TEST_CASE("messages are lost at the configured rate", "[net][sim]") {
  INFO("seed " << seed);
  network net{coact::prng{seed}};
  REQUIRE(net.set_defaults({.loss_probability = 0.2}));
  const auto arrivals = send_many(net, message_count);
  const auto& c = net.counters();
  CHECK(c.planned == message_count);
  CHECK(c.lost_to_loss + c.delivered == message_count);
  CHECK(c.delivered == arrivals.size());
  CHECK(c.lost_to_loss / double{message_count} == Approx(0.2).margin(0.005));
  CHECK(c.duplicated == 0);
  CHECK(c.lost_to_partition == 0);
}

// Proves the duplication probability is the measured duplication rate, and each
// duplicated message arrives as two copies.
TEST_CASE("messages are duplicated at the configured rate", "[net][sim]") {
  INFO("seed " << seed);
  network net{coact::prng{seed}};
  REQUIRE(net.set_defaults({.loss_probability = 0.1, .duplication_probability = 0.05}));
  const auto arrivals = send_many(net, message_count);
  const auto& c = net.counters();
  CHECK(c.delivered == arrivals.size());
  CHECK(c.delivered == c.planned - c.lost_to_loss + c.duplicated);
  const double kept = static_cast<double>(c.planned - c.lost_to_loss);
  CHECK(c.duplicated / kept == Approx(0.05).margin(0.003));
}

// Proves a FIFO link never delivers a message before an earlier one, even with delays
// wider than the sending gap, and that without FIFO the same delays reorder messages.
TEST_CASE("FIFO links keep order and non-FIFO links reorder", "[net][sim]") {
  INFO("seed " << seed);
  const auto wide = delay_distribution::uniform(0, 10).value();
  network fifo{coact::prng{seed}};
  REQUIRE(fifo.set_defaults({.delay = wide}));
  network loose{coact::prng{seed}};
  REQUIRE(loose.set_defaults({.delay = wide, .fifo = false}));
  const auto in_order = send_many(fifo, 10'000);
  const auto reordered = send_many(loose, 10'000);
  CHECK(inversions(in_order) == 0);
  CHECK(inversions(reordered) > 1000);
  // Holding back only delays: no FIFO arrival is earlier than its sampled one.
  for (std::size_t i = 0; i < in_order.size(); ++i) CHECK(in_order[i] >= reordered[i]);
}

// Proves FIFO is per link: a slow link holds back nothing on another link.
TEST_CASE("FIFO order is kept per link", "[net][sim]") {
  network net{coact::prng{seed}};
  REQUIRE(net.set_link(0, 1, {.delay = delay_distribution::constant(100).value()}));
  std::vector<duration> arrivals;
  net.plan(0, 1, other_type, time_point{}, arrivals);
  net.plan(0, 2, other_type, time_point{}, arrivals);
  net.plan(1, 0, other_type, time_point{}, arrivals);
  CHECK(arrivals == std::vector<duration>{100ms, 1ms, 1ms});
}

// Proves a link's own settings override the defaults in one direction only, reset_link
// restores the defaults, and probabilities outside [0, 1] are refused.
TEST_CASE("per-link settings override the defaults", "[net][sim]") {
  network net{coact::prng{seed}};
  REQUIRE(net.set_link(0, 1, {.loss_probability = 1}));
  CHECK(net.settings(0, 1).loss_probability == 1);
  CHECK(net.settings(1, 0).loss_probability == 0);
  std::vector<duration> arrivals;
  net.plan(0, 1, other_type, time_point{}, arrivals);
  CHECK(arrivals.empty());
  net.plan(1, 0, other_type, time_point{}, arrivals);
  CHECK(arrivals.size() == 1);
  net.reset_link(0, 1);
  net.plan(0, 1, other_type, time_point{}, arrivals);
  CHECK(arrivals.size() == 2);
  CHECK(net.counters().lost_to_loss == 1);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(net.set_defaults({.loss_probability = 1.5}).error() == coact::errc::invalid_argument);
  CHECK(net.set_defaults({.duplication_probability = -0.1}).error() ==
        coact::errc::invalid_argument);
  CHECK(net.set_link(0, 1, {.loss_probability = nan}).error() == coact::errc::invalid_argument);
  CHECK(net.settings(0, 1).loss_probability == 0);
}

// Proves a link delays a message by its payload type's own distribution when it has one
// and by the link's delay otherwise, FIFO still holding across types, and pbs_link pairs
// a PBS model's write-request and other-message distributions.
TEST_CASE("per-type delays override the link's delay", "[net][sim]") {
  network net{coact::prng{seed}};
  REQUIRE(net.set_link(0, 1,
                       {.delay = delay_distribution::constant(1).value(),
                        .delay_by_type = {{write_type, delay_distribution::constant(7).value()}}}));
  std::vector<duration> arrivals;
  net.plan(0, 1, write_type, time_point{}, arrivals);
  net.plan(0, 1, other_type, time_point{10ms}, arrivals);
  net.plan(1, 0, write_type, time_point{}, arrivals);
  // A write at 20 ms arrives at 27 ms, so FIFO holds the next message back to it.
  net.plan(0, 1, write_type, time_point{20ms}, arrivals);
  net.plan(0, 1, other_type, time_point{21ms}, arrivals);
  CHECK(arrivals == std::vector<duration>{7ms, 1ms, 1ms, 7ms, 6ms});

  const link_settings disk = coact::net::sim::pbs_link(pbs_model::lnkd_disk(), write_type);
  CHECK(disk.delay_of(write_type).mean_ms() ==
        Approx(delay_distribution::lnkd_disk_write().mean_ms()));
  CHECK(disk.delay_of(other_type).mean_ms() == Approx(delay_distribution::lnkd_ssd().mean_ms()));
  CHECK(disk.loss_probability == 0);
  CHECK_FALSE(disk.fifo);
  const link_settings ymmr = coact::net::sim::pbs_link(pbs_model::ymmr(), write_type);
  CHECK(ymmr.delay_of(write_type).mean_ms() == Approx(delay_distribution::ymmr_write().mean_ms()));
  CHECK(ymmr.delay_of(other_type).mean_ms() == Approx(delay_distribution::ymmr_other().mean_ms()));
}

// Proves the network's plan depends on the seed only: the same seed plans the same
// arrivals over mixed links, another seed plans others.
TEST_CASE("the same seed plans the same arrivals", "[net][sim]") {
  INFO("seed " << seed);
  const auto run = [](std::uint64_t s) {
    network net{coact::prng{s}.split("net")};
    REQUIRE(net.set_defaults({.delay = delay_distribution::lnkd_ssd(),
                              .loss_probability = 0.05,
                              .duplication_probability = 0.05,
                              .fifo = false}));
    REQUIRE(net.set_link(1, 2, {.delay = delay_distribution::ymmr_write()}));
    std::vector<std::int64_t> planned;
    std::vector<duration> arrivals;
    for (int i = 0; i < 5000; ++i) {
      arrivals.clear();
      const auto from = static_cast<node_id>(i % 3);
      net.plan(from, (from + 1 + static_cast<node_id>(i % 2)) % 3, other_type, time_point{1ms * i},
               arrivals);
      planned.push_back(static_cast<std::int64_t>(arrivals.size()));
      for (const duration d : arrivals) planned.push_back(d.count());
    }
    return planned;
  };
  CHECK(run(seed) == run(seed));
  CHECK(run(seed) != run(seed + 1));
}

namespace {

/// The cut links of a 3-node world sampled every 100 ms under a random fault schedule,
/// as text; checks that the schedule ran and ended healed.
std::string chaos_trace(std::uint64_t s) {
  auto net = std::make_shared<network>(coact::prng{s}.split("net"));
  sim::world w{s, net};
  for (const char* dc : {"east", "west", "west"}) w.add_node({.datacenter = dc}, nullptr);
  net->set_datacenters(coact::net::sim::datacenters_of(w));
  REQUIRE(net->start_chaos(
      w, {.mean_between = 5s,
          .mean_length = 2s,
          .kinds = {partition::kind::one_way, partition::kind::symmetric, partition::kind::isolate,
                    partition::kind::datacenter_split, partition::kind::datacenters_apart},
          .until = time_point{10min}}));
  CHECK(net->start_chaos(w, {.until = time_point{1min}}).error() == coact::errc::invalid_argument);
  std::string trace;
  int partitioned_samples = 0;
  for (int i = 0; i < 6000; ++i) {
    w.at(time_point{100ms * i}, [&] {
      std::string cut;
      for (node_id from = 0; from < 3; ++from) {
        for (node_id to = 0; to < 3; ++to) cut += net->cuts(from, to) ? 'x' : '.';
      }
      partitioned_samples += cut != std::string(9, '.') ? 1 : 0;
      trace += cut + '\n';
    });
  }
  w.run_until(forever);
  const auto& c = net->counters();
  // About 600 s / (5 s + 2 s) partitions, in effect about 2/7 of the time.
  CHECK(c.partitions_started > 40);
  CHECK(c.partitions_started < 140);
  CHECK(c.partitions_healed == c.partitions_started);
  CHECK(net->partitions_in_effect() == 0);
  CHECK(partitioned_samples > 6000 / 7);
  CHECK(partitioned_samples < 6000 / 2);
  CHECK(w.now() <= time_point{10min});
  return trace;
}

}  // namespace

// Proves the random fault schedule partitions and heals within its window, and replays
// exactly from the seed.
TEST_CASE("random faults follow the seed", "[net][sim]") {
  INFO("seed " << seed);
  const std::string first = chaos_trace(seed);
  CHECK(chaos_trace(seed) == first);
  CHECK(chaos_trace(seed + 1) != first);
}

// Proves start_chaos refuses options it cannot follow.
TEST_CASE("invalid fault schedules are refused", "[net][sim]") {
  auto net = std::make_shared<network>(coact::prng{seed});
  sim::world w{seed, net};
  const auto until = time_point{1min};
  CHECK(net->start_chaos(w, {.mean_between = 0s, .until = until}).error() ==
        coact::errc::invalid_argument);
  CHECK(net->start_chaos(w, {.mean_length = -1s, .until = until}).error() ==
        coact::errc::invalid_argument);
  CHECK(net->start_chaos(w, {.kinds = {}, .until = until}).error() ==
        coact::errc::invalid_argument);
  CHECK(net->start_chaos(w, {.kinds = {partition::kind::datacenters_apart}, .until = until})
            .error() == coact::errc::invalid_argument);
}

namespace {

/// What an asker saw: per ask, the error (or none) and the true time it completed.
struct ask_log {
  std::vector<std::error_code> errors;
  std::vector<time_point> times;
};

/// Asks `*target` `count` times, `gap` apart, each with `timeout`.
task<void> asker(actor_context& self, const actor_ref* target, int count, duration gap,
                 duration timeout, ask_log* log, const sim::world* w) {
  for (int i = 0; i < count; ++i) {
    auto r = co_await self.ask<coact::test::Pong>(*target, coact::testing::ping(i), timeout);
    log->errors.push_back(r ? std::error_code{} : r.error());
    log->times.push_back(w->now());
    co_await self.sleep(gap);
  }
}

}  // namespace

// Proves a world runs over this network: asks across a partition time out while it lasts
// (whether it cuts both ways or only the replies) and are answered after the heal.
TEST_CASE("asks across a partition time out until it heals", "[net][sim]") {
  INFO("seed " << seed);
  auto net = std::make_shared<network>(coact::prng{seed}.split("net"));
  sim::world w{seed, net};
  actor_ref echo;
  ask_log log;
  const node_id server = w.add_node({.name = "server"}, [&](coact::actor_system& system, node_id) {
    echo = system.spawn(&coact::testing::responder).value();
  });
  const node_id client = w.add_node({.name = "client"}, [&](coact::actor_system& system, node_id) {
    (void)system.spawn(&asker, &echo, 6, 10ms, 5ms, &log, &w);
  });
  // Asks at 0, 12, 24 and 39 ms (the last two inside the partition from 20 to 40 ms: each
  // times out 5 ms later), then 54 and 66 ms, answered after one 2 ms round trip.
  const partition cut =
      GENERATE(as<partition>{}, partition::between(0, 1), partition::one_way(1, 0));
  CAPTURE(static_cast<int>(cut.which()));
  REQUIRE(net->partition_at(w, time_point{20ms}, 20ms, cut));
  w.run_until(forever);
  CHECK(server != client);
  REQUIRE(log.errors.size() == 6);
  const std::vector<std::error_code> expected{{}, {}, coact::errc::timeout, coact::errc::timeout,
                                              {}, {}};
  CHECK(log.errors == expected);
  const std::vector<time_point> times{time_point{2ms},  time_point{14ms}, time_point{29ms},
                                      time_point{44ms}, time_point{56ms}, time_point{68ms}};
  CHECK(log.times == times);
  // Both ways: the two requests are cut; one way: their replies are.
  CHECK(net->counters().lost_to_partition == 2);
  CHECK(net->counters().delivered + 2 == net->counters().planned);
}

// Proves the world hands the network each message's payload type: an ask whose request
// type is delayed by 10 ms and whose reply takes 1 ms completes after 11 ms.
TEST_CASE("a world's messages are delayed by their payload type", "[net][sim]") {
  auto net = std::make_shared<network>(coact::prng{seed}.split("net"));
  REQUIRE(net->set_defaults({.delay_by_type = {{capnp::typeId<coact::test::Ping>(),
                                                delay_distribution::constant(10).value()}}}));
  sim::world w{seed, net};
  actor_ref echo;
  ask_log log;
  w.add_node({.name = "server"}, [&](coact::actor_system& system, node_id) {
    echo = system.spawn(&coact::testing::responder).value();
  });
  w.add_node({.name = "client"}, [&](coact::actor_system& system, node_id) {
    (void)system.spawn(&asker, &echo, 2, 5ms, 1s, &log, &w);
  });
  w.run_until(forever);
  CHECK(log.errors == std::vector<std::error_code>{{}, {}});
  CHECK(log.times == std::vector<time_point>{time_point{11ms}, time_point{27ms}});
}
