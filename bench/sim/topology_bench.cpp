// The simulator's speed: a 5-node topology (an echo server and a client on every node,
// each client asking a random other node every 10 ms over links of 0.1-3 ms) run for one
// simulated hour per iteration (times COACT_BENCH_SCALE). Reports simulated events per
// second of wall time and how many simulated seconds pass per wall second.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "coact/runtime/sim/world.hpp"
#include "common/bench_scale.hpp"
#include "sim_messages.capnp.h"

namespace coact::bench {
namespace {

using namespace std::chrono_literals;

constexpr int node_count = 5;
constexpr std::chrono::seconds simulated_base = 1h;

class jittery_links final : public sim::link_model {
 public:
  explicit jittery_links(prng random) : random_(random) {}
  void plan(sim::node_id, sim::node_id, std::uint64_t, time_point,
            std::vector<duration>& arrivals) override {
    arrivals.push_back(duration{random_.between(100'000, 3'000'000)});
  }

 private:
  prng random_;
};

task<void> echo(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    message<SimPong> pong;
    pong->setN(e.get<SimPing>().getN());
    self.reply(e, std::move(pong));
  }
}

task<void> client(actor_context& self, const std::vector<actor_ref>* servers, prng random,
                  time_point until, std::uint64_t* answered) {
  while (self.now() < until) {
    co_await self.sleep(10ms);
    const actor_ref to = (*servers)[random.below(servers->size())];
    if (to.node == self.ref().node) continue;
    message<SimPing> ping;
    ping->setN(*answered);
    if (co_await self.ask<SimPong>(to, std::move(ping), 50ms)) ++*answered;
  }
}

void sim_topology(benchmark::State& state) {
  const auto simulated = std::chrono::duration_cast<duration>(
      simulated_base * static_cast<double>(scaled(1'000'000)) / 1'000'000.0);
  std::uint64_t events = 0;
  std::uint64_t answered = 0;
  double simulated_seconds = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    sim::world w{seed, std::make_shared<jittery_links>(prng{seed}.split("net"))};
    ++seed;
    std::vector<actor_ref> servers(node_count);
    for (int n = 0; n < node_count; ++n) {
      w.add_node({}, [&, n](actor_system& system, sim::node_id id) {
        servers[n] = system.spawn(&echo).value();
        (void)system.spawn(&client, &servers, w.stream("client" + std::to_string(id)),
                           time_point{simulated}, &answered);
      });
    }
    events += w.run_until(time_point{simulated});
    simulated_seconds += std::chrono::duration<double>(simulated).count();
  }
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["simulated_s_per_wall_s"] =
      benchmark::Counter(simulated_seconds, benchmark::Counter::kIsRate);
  state.counters["asks_answered"] =
      benchmark::Counter(static_cast<double>(answered), benchmark::Counter::kAvgIterations);
}

BENCHMARK(sim_topology)->Name("sim/topology/5_nodes")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace coact::bench

BENCHMARK_MAIN();
