// spawn: create and stop actors in batches; also the heap cost of an idle actor.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

task<void> short_lived(actor_context& self, actor_ref driver) {
  self.tell(driver, message<Done>{});
  co_return;
}

task<void> idle(actor_context& self) { (void)co_await self.receive(); }

task<void> driver(actor_context& self, std::int64_t count, std::promise<void>* done) {
  const auto shards = self.system().shard_count();
  for (std::int64_t spawned = 0; spawned < count;) {
    std::int64_t batch = 0;
    for (; batch < spawn_batch_size && spawned < count; ++batch, ++spawned) {
      const spawn_options where{.shard = static_cast<std::uint32_t>(spawned % shards)};
      (void)self.system().spawn(where, &short_lived, self.ref());
    }
    for (std::int64_t i = 0; i < batch; ++i) (void)co_await self.receive();
  }
  done->set_value();
}

double bytes_per_idle_actor(actor_system& system) {
  std::vector<actor_ref> actors;
  actors.reserve(spawn_idle_actors);
  const std::size_t before = heap_bytes_in_use();
  for (std::int64_t i = 0; i < spawn_idle_actors; ++i) {
    actors.push_back(must_spawn(system, on_shard(i, system), &idle));
  }
  const std::size_t after = heap_bytes_in_use();
  for (const actor_ref& a : actors) system.stop(a);
  return static_cast<double>(after - before) / static_cast<double>(spawn_idle_actors);
}

void spawn(benchmark::State& state) {
  actor_system system{config_for(state)};
  const std::int64_t count = scaled(spawn_actors);
  for (auto _ : state) {
    std::promise<void> done;
    must_spawn(system, on_shard(0, system), &driver, count, &done);
    done.get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.counters["bytes_per_idle_actor"] = bytes_per_idle_actor(system);
}

BENCHMARK(spawn)
    ->Name("spawn/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
