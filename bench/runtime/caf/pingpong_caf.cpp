// pingpong: two actors bounce one message back and forth; items are round trips.
#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

caf::behavior ponger(caf::event_based_actor*) {
  return {[](ping_atom, std::int64_t n) { return caf::make_message(pong_atom::value, n); }};
}

caf::behavior pinger(caf::event_based_actor* self, caf::actor peer, std::int64_t round_trips,
                     caf::actor driver) {
  self->send(peer, ping_atom::value, std::int64_t{0});
  return {[=](pong_atom, std::int64_t n) {
    if (n + 1 < round_trips) {
      self->send(peer, ping_atom::value, n + 1);
      return;
    }
    self->send(driver, done_atom::value);
    self->quit();
  }};
}

void pingpong(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t round_trips = scaled(pingpong_round_trips);
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      const caf::actor peer = run.system.spawn(ponger);
      run.system.spawn(pinger, peer, round_trips, caf::actor{driver});
      driver->receive([](done_atom) {});
      driver->send_exit(peer, caf::exit_reason::user_shutdown);
    });
  }
  state.SetItemsProcessed(state.iterations() * round_trips);
}

BENCHMARK(pingpong)->Name("pingpong/caf")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
