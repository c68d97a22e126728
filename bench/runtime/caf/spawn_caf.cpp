// spawn: create actors in batches, each reporting once and terminating; items are actors.
// Also the heap cost of an idle actor (bytes_per_idle_actor).
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

using ready_atom = caf::atom_constant<caf::atom("ready")>;

// Returning no behavior terminates the actor once this function is done.
void short_lived(caf::event_based_actor* self, caf::actor parent) {
  self->send(parent, done_atom::value);
}

struct spawner_state {
  std::int64_t spawned = 0;
  std::int64_t pending = 0;
};

void spawn_batch(caf::stateful_actor<spawner_state>* self, std::int64_t count) {
  auto& st = self->state;
  const std::int64_t end = std::min(st.spawned + spawn_batch_size, count);
  st.pending = end - st.spawned;
  for (; st.spawned < end; ++st.spawned) {
    self->spawn(short_lived, caf::actor_cast<caf::actor>(self));
  }
}

caf::behavior spawner(caf::stateful_actor<spawner_state>* self, std::int64_t count,
                      caf::actor driver) {
  spawn_batch(self, count);
  return {[=](done_atom) {
    if (--self->state.pending > 0) return;
    if (self->state.spawned < count) {
      spawn_batch(self, count);
      return;
    }
    self->send(driver, done_atom::value);
    self->quit();
  }};
}

caf::behavior idle(caf::event_based_actor* self, caf::actor driver) {
  // Reports once its behavior is in place, so that the measurement sees it fully set up.
  self->send(driver, ready_atom::value);
  return {[](ping_atom) {}};
}

double bytes_per_idle_actor(caf_run& run) {
  double bytes = 0;
  run.pass([&](caf::scoped_actor& driver) {
    std::vector<caf::actor> actors;
    actors.reserve(spawn_idle_actors);
    const std::size_t before = heap_bytes_in_use();
    for (std::int64_t i = 0; i < spawn_idle_actors; ++i) {
      actors.push_back(run.system.spawn(idle, caf::actor{driver}));
    }
    for (std::int64_t ready = 0; ready < spawn_idle_actors; ++ready) {
      driver->receive([](ready_atom) {});
    }
    const std::size_t after = heap_bytes_in_use();
    bytes = (static_cast<double>(after) - static_cast<double>(before)) /
            static_cast<double>(spawn_idle_actors);
    for (const caf::actor& a : actors) {
      driver->send_exit(a, caf::exit_reason::user_shutdown);
    }
  });
  return bytes;
}

void spawn(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t count = scaled(spawn_actors);
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      run.system.spawn(spawner, count, caf::actor{driver});
      driver->receive([](done_atom) {});
    });
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.counters["bytes_per_idle_actor"] = bytes_per_idle_actor(run);
}

BENCHMARK(spawn)->Name("spawn/caf")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
