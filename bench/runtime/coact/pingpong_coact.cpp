// pingpong: two actors bounce one message; at threads:2 they sit on different shards.
#include "coact_bench.hpp"

namespace coact::bench {
namespace {

task<void> ponger(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    message<Pong> pong;
    pong->setN(e.get<Ping>().getN());
    self.tell(e.sender(), std::move(pong));
  }
}

task<void> pinger(actor_context& self, actor_ref peer, std::int64_t round_trips,
                  std::promise<void>* done) {
  for (std::int64_t i = 0; i < round_trips; ++i) {
    message<Ping> ping;
    ping->setN(static_cast<std::uint64_t>(i));
    self.tell(peer, std::move(ping));
    (void)co_await self.receive();
  }
  done->set_value();
}

void run_pingpong(benchmark::State& state, placement where) {
  actor_system system{config_for(state)};
  const std::int64_t round_trips = scaled(pingpong_round_trips);
  for (auto _ : state) {
    std::promise<void> done;
    const actor_ref peer = must_spawn(system, on_shard(0, system), &ponger);
    must_spawn(system, on_shard(shard_for(where, 1), system), &pinger, peer, round_trips, &done);
    done.get_future().wait();
    system.stop(peer);
  }
  state.SetItemsProcessed(state.iterations() * round_trips);
}

void pingpong(benchmark::State& state) { run_pingpong(state, placement::co_located); }
void pingpong_cross_shard(benchmark::State& state) { run_pingpong(state, placement::cross_shard); }

BENCHMARK(pingpong)
    ->Name("pingpong/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(pingpong_cross_shard)
    ->Name("pingpong_cross_shard/coact")
    ->ArgName("threads")
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
