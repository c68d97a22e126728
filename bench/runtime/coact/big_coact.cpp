// big: 120 actors each ping random peers, one ping in flight each, answering others'
// pings meanwhile.
#include <atomic>
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

struct big_run {
  std::vector<actor_ref> peers;
  std::atomic<std::int64_t> finished{0};
  std::promise<void> done;
};

task<void> big_actor(actor_context& self, std::uint64_t index, std::int64_t pings, big_run* run) {
  (void)co_await self.receive<Next>(std::chrono::hours{1});  // the go signal: peers are known
  splitmix64 random{index};
  auto ping_someone = [&] {
    message<Ping> ping;
    self.tell(run->peers[random.next() % run->peers.size()], std::move(ping));
  };
  std::int64_t answered = 0;
  ping_someone();
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<Ping>()) {
      self.tell(e.sender(), message<Pong>{});
      continue;
    }
    if (++answered < pings) {
      ping_someone();
    } else if (run->finished.fetch_add(1) + 1 == big_actors) {
      run->done.set_value();
    }
  }
}

void big(benchmark::State& state) {
  actor_system system{config_for(state)};
  const std::int64_t pings = scaled(big_pings_per_actor);
  for (auto _ : state) {
    big_run run;
    for (std::int64_t i = 0; i < big_actors; ++i) {
      run.peers.push_back(must_spawn(system, on_shard(i, system), &big_actor,
                                     static_cast<std::uint64_t>(i), pings, &run));
    }
    for (const actor_ref& peer : run.peers) (void)system.tell(peer, message<Next>{});
    run.done.get_future().wait();
    for (const actor_ref& peer : run.peers) system.stop(peer);
  }
  state.SetItemsProcessed(state.iterations() * pings * big_actors);
}

BENCHMARK(big)
    ->Name("big/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
