// fork_join: a coordinator sends a job to each of 1,000 workers and waits for all
// answers before the next round.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

task<void> worker(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    self.tell(e.sender(), message<Done>{});
  }
}

task<void> coordinator(actor_context& self, std::vector<actor_ref> workers, std::int64_t rounds,
                       std::promise<void>* done) {
  for (std::int64_t round = 0; round < rounds; ++round) {
    for (const actor_ref& w : workers) {
      message<Job> job;
      job->setRound(static_cast<std::uint64_t>(round));
      self.tell(w, std::move(job));
    }
    for (std::size_t answered = 0; answered < workers.size(); ++answered) {
      (void)co_await self.receive();
    }
  }
  done->set_value();
}

void fork_join(benchmark::State& state) {
  actor_system system{config_for(state)};
  const std::int64_t rounds = scaled(fork_join_rounds);
  for (auto _ : state) {
    std::promise<void> done;
    std::vector<actor_ref> workers;
    for (std::int64_t i = 0; i < fork_join_workers; ++i) {
      workers.push_back(must_spawn(system, on_shard(i, system), &worker));
    }
    must_spawn(system, on_shard(0, system), &coordinator, workers, rounds, &done);
    done.get_future().wait();
    for (const actor_ref& w : workers) system.stop(w);
  }
  state.SetItemsProcessed(state.iterations() * rounds * fork_join_workers);
}

BENCHMARK(fork_join)
    ->Name("fork_join/coact")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
