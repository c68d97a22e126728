// counting: one producer sends increments to one counter, then asks it for the total.
#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

struct counter_state {
  std::int64_t total = 0;
};

caf::behavior counter(caf::stateful_actor<counter_state>* self) {
  return {
      [=](std::int32_t increment) { self->state.total += increment; },
      [=](caf::get_atom) { return self->state.total; },
  };
}

struct producer_state {
  std::int64_t sent = 0;
};

caf::behavior producer(caf::stateful_actor<producer_state>* self, caf::actor target,
                       std::int64_t count, caf::actor driver) {
  self->send(self, continue_atom::value);
  return {[=](continue_atom) {
    send_batch(self, target, self->state.sent, count);
    if (self->state.sent < count) return;
    self->request(target, caf::infinite, caf::get_atom::value)
        .then(
            [=](std::int64_t total) {
              self->send(driver, done_atom::value, total);
              self->quit();
            },
            [=](caf::error&) {
              self->send(driver, done_atom::value, std::int64_t{-1});
              self->quit();
            });
  }};
}

void counting(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t count = scaled(counting_increments);
  for (auto _ : state) {
    std::int64_t total = 0;
    run.pass([&](caf::scoped_actor& driver) {
      const caf::actor target = run.system.spawn(counter);
      run.system.spawn(producer, target, count, caf::actor{driver});
      driver->receive([&](done_atom, std::int64_t counted) { total = counted; });
      driver->send_exit(target, caf::exit_reason::user_shutdown);
    });
    if (total != count) {
      state.SkipWithError("counter total does not match the increments sent");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
}

BENCHMARK(counting)->Name("counting/caf")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
