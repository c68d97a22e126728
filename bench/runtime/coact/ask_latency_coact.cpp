// ask_latency: sequential request/response, one in flight; p50 and p99 of the round trip.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

using namespace std::chrono_literals;

task<void> responder(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    message<Pong> pong;
    pong->setN(e.get<Ping>().getN());
    self.reply(e, std::move(pong));
  }
}

task<void> asker(actor_context& self, actor_ref target, std::int64_t asks,
                 std::vector<double>* latencies_ns, std::promise<bool>* done) {
  bool ok = true;
  for (std::int64_t i = 0; i < asks; ++i) {
    message<Ping> ping;
    ping->setN(static_cast<std::uint64_t>(i));
    const time_point start = self.now();
    auto reply = co_await self.ask<Pong>(target, std::move(ping), 10s);
    latencies_ns->push_back(static_cast<double>((self.now() - start).count()));
    ok = ok && reply.has_value();
  }
  done->set_value(ok);
}

void run_ask_latency(benchmark::State& state, placement where) {
  actor_system system{config_for(state)};
  const std::int64_t asks = scaled(ask_latency_asks);
  std::vector<double> latencies_ns;
  latencies_ns.reserve(static_cast<std::size_t>(asks));
  for (auto _ : state) {
    latencies_ns.clear();
    std::promise<bool> done;
    const actor_ref target = must_spawn(system, on_shard(0, system), &responder);
    must_spawn(system, on_shard(shard_for(where, 1), system), &asker, target, asks, &latencies_ns,
               &done);
    const bool ok = done.get_future().get();
    system.stop(target);
    if (!ok) {
      state.SkipWithError("an ask failed");
      break;
    }
  }
  report_ask_latencies(state, asks, latencies_ns);
}

void ask_latency(benchmark::State& state) { run_ask_latency(state, placement::co_located); }
void ask_latency_cross_shard(benchmark::State& state) {
  run_ask_latency(state, placement::cross_shard);
}

BENCHMARK(ask_latency)
    ->Name("ask_latency/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ask_latency_cross_shard)
    ->Name("ask_latency_cross_shard/coact")
    ->ArgName("threads")
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
