// ask_latency: sequential request/response, one in flight; p50 and p99 of the round trip;
// items are asks.
#include <chrono>
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

using steady = std::chrono::steady_clock;

caf::behavior responder(caf::event_based_actor*) {
  return {[](ping_atom, std::int64_t n) { return caf::make_message(pong_atom::value, n); }};
}

struct asker_state {
  caf::actor target;
  caf::actor driver;
  std::int64_t asks = 0;
  std::int64_t answered = 0;
  std::vector<double>* latencies_ns = nullptr;
};

void ask_next(caf::stateful_actor<asker_state>* self) {
  const steady::time_point start = steady::now();
  self->request(self->state.target, caf::infinite, ping_atom::value, self->state.answered)
      .then(
          [=](pong_atom, std::int64_t) {
            auto& st = self->state;
            const auto elapsed = std::chrono::duration<double, std::nano>(steady::now() - start);
            st.latencies_ns->push_back(elapsed.count());
            if (++st.answered < st.asks) {
              ask_next(self);
              return;
            }
            self->send(st.driver, done_atom::value, true);
            self->quit();
          },
          [=](caf::error&) {
            self->send(self->state.driver, done_atom::value, false);
            self->quit();
          });
}

void asker(caf::stateful_actor<asker_state>* self, caf::actor target, std::int64_t asks,
           std::vector<double>* latencies_ns, caf::actor driver) {
  self->state = asker_state{std::move(target), std::move(driver), asks, 0, latencies_ns};
  ask_next(self);
}

void ask_latency(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t asks = scaled(ask_latency_asks);
  std::vector<double> latencies_ns;
  latencies_ns.reserve(static_cast<std::size_t>(asks));
  for (auto _ : state) {
    latencies_ns.clear();
    bool ok = false;
    run.pass([&](caf::scoped_actor& driver) {
      const caf::actor target = run.system.spawn(responder);
      run.system.spawn(asker, target, asks, &latencies_ns, caf::actor{driver});
      driver->receive([&](done_atom, bool all_answered) { ok = all_answered; });
      driver->send_exit(target, caf::exit_reason::user_shutdown);
    });
    if (!ok) {
      state.SkipWithError("an ask failed");
      break;
    }
  }
  report_ask_latencies(state, asks, latencies_ns);
}

BENCHMARK(ask_latency)
    ->Name("ask_latency/caf")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
