// big: 120 actors each ping random peers, one ping in flight each, answering others' pings
// meanwhile; items are pings.
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

struct big_state {
  std::vector<caf::actor> peers;
  splitmix64 random{0};
  std::int64_t answered = 0;
};

void ping_someone(caf::stateful_actor<big_state>* self) {
  auto& st = self->state;
  self->send(st.peers[st.random.next() % st.peers.size()], ping_atom::value);
}

caf::behavior big_actor(caf::stateful_actor<big_state>* self, std::uint64_t index,
                        std::int64_t pings, caf::actor sink) {
  self->state.random = splitmix64{index};
  return {
      // The go signal: the peers are known only once all of them are spawned.
      [=](std::vector<caf::actor>& peers) {
        self->state.peers = std::move(peers);
        ping_someone(self);
      },
      [](ping_atom) { return pong_atom::value; },
      [=](pong_atom) {
        if (++self->state.answered < pings) {
          ping_someone(self);
        } else {
          self->send(sink, done_atom::value);
        }
      },
  };
}

void big(benchmark::State& state) {
  caf_run run{state};
  const std::int64_t pings = scaled(big_pings_per_actor);
  for (auto _ : state) {
    run.pass([&](caf::scoped_actor& driver) {
      std::vector<caf::actor> peers;
      for (std::int64_t i = 0; i < big_actors; ++i) {
        peers.push_back(
            run.system.spawn(big_actor, static_cast<std::uint64_t>(i), pings, caf::actor{driver}));
      }
      for (const caf::actor& peer : peers) driver->send(peer, peers);
      // The driver is the sink: done once every actor has reported.
      for (std::int64_t reported = 0; reported < big_actors; ++reported) {
        driver->receive([](done_atom) {});
      }
      for (const caf::actor& peer : peers) {
        driver->send_exit(peer, caf::exit_reason::user_shutdown);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * pings * big_actors);
}

BENCHMARK(big)->Name("big/caf")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench::caf_side
