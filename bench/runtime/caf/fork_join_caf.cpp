// fork_join: a coordinator sends a job to each of 1,000 workers and waits for all answers
// before the next round; items are jobs.
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

using job_atom = caf::atom_constant<caf::atom("job")>;
using result_atom = caf::atom_constant<caf::atom("result")>;

caf::behavior worker(caf::event_based_actor*) {
  return {[](job_atom, std::int64_t job) { return caf::make_message(result_atom::value, job); }};
}

struct coordinator_state {
  std::vector<caf::actor> workers;
  std::int64_t round = 0;
  std::size_t answered = 0;
};

void send_jobs(caf::stateful_actor<coordinator_state>* self) {
  for (const caf::actor& w : self->state.workers) {
    self->send(w, job_atom::value, self->state.round);
  }
}

caf::behavior coordinator(caf::stateful_actor<coordinator_state>* self,
                          std::vector<caf::actor> workers, std::int64_t rounds, caf::actor driver) {
  self->state.workers = std::move(workers);
  send_jobs(self);
  return {[=](result_atom, std::int64_t) {
    auto& st = self->state;
    if (++st.answered < st.workers.size()) return;
    st.answered = 0;
    if (++st.round < rounds) {
      send_jobs(self);
      return;
    }
    self->send(driver, done_atom::value);
    self->quit();
  }};
}

void fork_join(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t rounds = scaled(fork_join_rounds);
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      std::vector<caf::actor> workers;
      for (std::int64_t i = 0; i < fork_join_workers; ++i) {
        workers.push_back(run.system.spawn(worker));
      }
      run.system.spawn(coordinator, workers, rounds, caf::actor{driver});
      driver->receive([](done_atom) {});
      for (const caf::actor& w : workers) {
        driver->send_exit(w, caf::exit_reason::user_shutdown);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * rounds * fork_join_workers);
}

BENCHMARK(fork_join)->Name("fork_join/caf")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
