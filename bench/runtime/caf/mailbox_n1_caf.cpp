// mailbox_n1: 100 senders flood one receiver; items are messages received.
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

struct receiver_state {
  std::int64_t received = 0;
};

caf::behavior receiver(caf::stateful_actor<receiver_state>* self, std::int64_t expected,
                       caf::actor driver) {
  return {[=](std::int32_t) {
    if (++self->state.received < expected) return;
    self->send(driver, done_atom::value);
    self->quit();
  }};
}

struct sender_state {
  std::int64_t sent = 0;
};

caf::behavior sender(caf::stateful_actor<sender_state>* self, caf::actor target,
                     std::int64_t count) {
  self->send(self, continue_atom::value);
  return {[=](continue_atom) {
    send_batch(self, target, self->state.sent, count);
    if (self->state.sent == count) self->quit();
  }};
}

void mailbox_n1(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t per_sender = scaled(mailbox_n1_messages_per_sender);
  const std::int64_t total = per_sender * mailbox_n1_senders;
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      const caf::actor target = run.system.spawn(receiver, total, caf::actor{driver});
      for (std::int64_t i = 0; i < mailbox_n1_senders; ++i) {
        run.system.spawn(sender, target, per_sender);
      }
      driver->receive([](done_atom) {});
    });
  }
  state.SetItemsProcessed(state.iterations() * total);
}

BENCHMARK(mailbox_n1)->Name("mailbox_n1/caf")->ArgName("threads")->Arg(1)->Arg(2)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
