// thread_ring: a token travels around a ring of 100 actors for a fixed number of hops;
// items are hops.
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

caf::behavior ring_member(caf::event_based_actor* self, caf::actor driver) {
  // The first message names the successor; only then can the member pass the token on.
  return {[=](const caf::actor& next) {
    self->become([=](std::int64_t hops) {
      if (hops == 0) {
        self->send(driver, done_atom::value);
        return;
      }
      self->send(next, hops - 1);
    });
  }};
}

void thread_ring(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t hops = scaled(thread_ring_hops);
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      std::vector<caf::actor> ring;
      for (std::int64_t i = 0; i < thread_ring_actors; ++i) {
        ring.push_back(run.system.spawn(ring_member, caf::actor{driver}));
      }
      for (std::size_t i = 0; i < ring.size(); ++i) {
        driver->send(ring[i], ring[(i + 1) % ring.size()]);
      }
      driver->send(ring[0], hops);
      driver->receive([](done_atom) {});
      for (const caf::actor& member : ring) {
        driver->send_exit(member, caf::exit_reason::user_shutdown);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * hops);
}

BENCHMARK(thread_ring)->Name("thread_ring/caf")->ArgName("threads")->Arg(1)->Arg(2)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
