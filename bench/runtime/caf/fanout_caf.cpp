// fanout: one asker asks the same ping of 3 or 5 responders at once and waits for all of
// them or for a majority before the next round; items are rounds. CAF 0.17 has no fan-out
// request: the idiom is one request(...).then(...) per target, the answers counted in the
// asker's state. Past the majority, the round's late answers still reach their handlers,
// which absorb them.
#include <vector>

#include "caf_bench.hpp"

namespace coact::bench::caf_side {
namespace {

caf::behavior responder(caf::event_based_actor*) {
  return {[](ping_atom, std::int64_t n) { return caf::make_message(pong_atom::value, n); }};
}

struct asker_state {
  std::vector<caf::actor> targets;
  caf::actor driver;
  std::size_t needed = 0;
  std::int64_t rounds = 0;
  std::int64_t round = 0;
  std::size_t answered = 0;
};

void finish(caf::stateful_actor<asker_state>* self, bool ok) {
  self->send(self->state.driver, done_atom::value, ok);
  self->quit();
}

void ask_round(caf::stateful_actor<asker_state>* self) {
  const std::int64_t round = self->state.round;
  for (const caf::actor& target : self->state.targets) {
    self->request(target, caf::infinite, ping_atom::value, round)
        .then(
            [=](pong_atom, std::int64_t n) {
              auto& st = self->state;
              // A late answer to a round already decided by its majority.
              if (round != st.round) return;
              if (n != round) {
                finish(self, false);
                return;
              }
              if (++st.answered < st.needed) return;
              st.answered = 0;
              if (++st.round < st.rounds) {
                ask_round(self);
                return;
              }
              finish(self, true);
            },
            [=](caf::error&) { finish(self, false); });
  }
}

void asker(caf::stateful_actor<asker_state>* self, std::vector<caf::actor> targets,
           fanout_wait wait, std::int64_t rounds, caf::actor driver) {
  const std::size_t needed = fanout_needed(wait, targets.size());
  self->state = asker_state{std::move(targets), std::move(driver), needed, rounds, 0, 0};
  ask_round(self);
}

void fanout(benchmark::State& state, fanout_wait wait, std::int64_t responders) {
  caf_run run{state};
  const std::int64_t rounds = scaled(fanout_rounds);
  for (auto _ : state) {
    bool ok = false;
    run.pass([&](caf::scoped_actor& driver) {
      std::vector<caf::actor> targets;
      for (std::int64_t i = 0; i < responders; ++i) targets.push_back(run.system.spawn(responder));
      run.system.spawn(asker, targets, wait, rounds, caf::actor{driver});
      driver->receive([&](done_atom, bool all_answered) { ok = all_answered; });
      for (const caf::actor& t : targets) driver->send_exit(t, caf::exit_reason::user_shutdown);
    });
    if (!ok) {
      state.SkipWithError("a fan-out failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rounds);
}

// Registered at start-up, as the BENCHMARK macros are.
const bool fanout_registered = [] {
  register_fanout("runtime/fanout/caf", fanout, {1, 2});
  return true;
}();

}  // namespace
}  // namespace coact::bench::caf_side
