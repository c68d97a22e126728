// mailbox_n1: 100 senders flood one receiver.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

task<void> receiver(actor_context& self, std::int64_t expected, std::promise<void>* done) {
  for (std::int64_t received = 0; received < expected; ++received) {
    (void)co_await self.receive();
  }
  done->set_value();
}

void mailbox_n1(benchmark::State& state) {
  actor_system system{config_for(state)};
  const std::int64_t per_sender = scaled(mailbox_n1_messages_per_sender);
  const std::int64_t total = per_sender * mailbox_n1_senders;
  for (auto _ : state) {
    std::promise<void> done;
    const actor_ref target = must_spawn(system, sink_on_shard(0, system), &receiver, total, &done);
    for (std::int64_t i = 0; i < mailbox_n1_senders; ++i) {
      must_spawn(system, on_shard(i + 1, system), &send_increments, target, per_sender);
    }
    done.get_future().wait();
  }
  state.SetItemsProcessed(state.iterations() * total);
}

BENCHMARK(mailbox_n1)->Name("mailbox_n1/coact")->ArgName("threads")->Arg(1)->Arg(2)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
