// thread_ring: a token travels around a ring of 100 actors for a fixed number of hops.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

task<void> ring_member(actor_context& self, std::promise<void>* done) {
  const envelope first = co_await self.receive();
  const actor_ref next = ref_of(first.get<Next>().getPeer());
  for (;;) {
    envelope e = co_await self.receive();
    const std::uint64_t hops = e.get<Token>().getHops();
    if (hops == 0) {
      done->set_value();
      continue;
    }
    message<Token> token;
    token->setHops(hops - 1);
    self.tell(next, std::move(token));
  }
}

void run_thread_ring(benchmark::State& state, placement where) {
  actor_system system{config_for(state)};
  const std::int64_t hops = scaled(thread_ring_hops);
  for (auto _ : state) {
    std::promise<void> done;
    std::vector<actor_ref> ring;
    for (std::int64_t i = 0; i < thread_ring_actors; ++i) {
      ring.push_back(
          must_spawn(system, on_shard(shard_for(where, i), system), &ring_member, &done));
    }
    for (std::size_t i = 0; i < ring.size(); ++i) {
      message<Next> next;
      set_ref(next->initPeer(), ring[(i + 1) % ring.size()]);
      (void)system.tell(ring[i], std::move(next));
    }
    message<Token> token;
    token->setHops(static_cast<std::uint64_t>(hops));
    (void)system.tell(ring[0], std::move(token));
    done.get_future().wait();
    for (const actor_ref& member : ring) system.stop(member);
  }
  state.SetItemsProcessed(state.iterations() * hops);
}

void thread_ring(benchmark::State& state) { run_thread_ring(state, placement::co_located); }
void thread_ring_cross_shard(benchmark::State& state) {
  run_thread_ring(state, placement::cross_shard);
}

BENCHMARK(thread_ring)
    ->Name("thread_ring/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(thread_ring_cross_shard)
    ->Name("thread_ring_cross_shard/coact")
    ->ArgName("threads")
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
