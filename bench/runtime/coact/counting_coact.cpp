// counting: one producer sends increments to one counter, then asks it for the total.
#include "coact_bench.hpp"

namespace coact::bench {
namespace {

using namespace std::chrono_literals;

task<void> counter(actor_context& self) {
  std::int64_t total = 0;
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<Add>()) {
      total += e.get<Add>().getValue();
    } else {
      message<Total> reply;
      reply->setValue(total);
      self.reply(e, std::move(reply));
    }
  }
}

task<void> producer(actor_context& self, actor_ref target, std::int64_t count,
                    std::promise<std::int64_t>* done) {
  co_await send_increments(self, target, count);
  auto total = co_await self.ask<Total>(target, message<Get>{}, 60s);
  done->set_value(total ? total.value().get<Total>().getValue() : -1);
}

void counting(benchmark::State& state) {
  actor_system system{config_for(state)};
  const std::int64_t count = scaled(counting_increments);
  for (auto _ : state) {
    std::promise<std::int64_t> done;
    const actor_ref target = must_spawn(system, sink_on_shard(0, system), &counter);
    must_spawn(system, on_shard(1, system), &producer, target, count, &done);
    const std::int64_t total = done.get_future().get();
    system.stop(target);
    if (total != count) {
      state.SkipWithError("counter total does not match the increments sent");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
}

BENCHMARK(counting)
    ->Name("counting/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
