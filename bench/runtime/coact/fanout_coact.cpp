// fanout: one asker asks the same Ping of 3 or 5 responders at once (ask_all, or ask_first
// of a majority) and waits for all of them or for the majority before the next round;
// items are rounds. fanout_cross_shard places most responders on the other shard.
#include <vector>

#include "coact_bench.hpp"

namespace coact::bench {
namespace {

using namespace std::chrono_literals;

task<void> responder(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    message<Pong> pong;
    pong->setN(e.get<Ping>().getN());
    self.reply(e, std::move(pong));
  }
}

/// Whether a reply answers this round's Ping.
bool answers(const envelope& reply, std::int64_t round) {
  return reply.get<Pong>().getN() == static_cast<std::uint64_t>(round);
}

task<void> asker(actor_context& self, std::vector<actor_ref> targets, fanout_wait wait,
                 std::int64_t rounds, std::promise<bool>* done) {
  bool ok = true;
  const std::size_t needed = fanout_needed(wait, targets.size());
  for (std::int64_t round = 0; round < rounds; ++round) {
    message<Ping> ping;
    ping->setN(static_cast<std::uint64_t>(round));
    if (wait == fanout_wait::all) {
      const all_replies replies = co_await self.ask_all<Pong>(targets, std::move(ping), 10s);
      for (const result<envelope>& r : replies) ok = ok && r && answers(r.value(), round);
    } else {
      // The asks still pending once the majority answered are abandoned: their replies
      // come back as dead letters, as late replies do.
      const first_replies first =
          co_await self.ask_first<Pong>(needed, targets, std::move(ping), 10s);
      ok = ok && first.met && first.replies.size() == needed;
      for (const target_reply& r : first.replies) ok = ok && answers(r.reply, round);
    }
  }
  done->set_value(ok);
}

void run_fanout(benchmark::State& state, placement where, fanout_wait wait,
                std::int64_t responders) {
  actor_system system{config_for(state)};
  const std::int64_t rounds = scaled(fanout_rounds);
  for (auto _ : state) {
    std::promise<bool> done;
    // Co-located: every actor on shard 0. Cross-shard: the asker on shard 0, responder i
    // on shard i + 1 mod 2, so that both a majority and all need an answer from across.
    std::vector<actor_ref> targets;
    for (std::int64_t i = 0; i < responders; ++i) {
      targets.push_back(must_spawn(system, on_shard(shard_for(where, i + 1), system), &responder));
    }
    must_spawn(system, on_shard(0, system), &asker, targets, wait, rounds, &done);
    const bool ok = done.get_future().get();
    for (const actor_ref& t : targets) system.stop(t);
    if (!ok) {
      state.SkipWithError("a fan-out failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rounds);
}

void fanout(benchmark::State& state, fanout_wait wait, std::int64_t responders) {
  run_fanout(state, placement::co_located, wait, responders);
}
void fanout_cross_shard(benchmark::State& state, fanout_wait wait, std::int64_t responders) {
  run_fanout(state, placement::cross_shard, wait, responders);
}

// Registered at start-up, as the BENCHMARK macros are.
const bool fanout_registered = [] {
  register_fanout("runtime/fanout/coact", fanout, {1, 2});
  register_fanout("runtime/fanout_cross_shard/coact", fanout_cross_shard, {2});
  return true;
}();

}  // namespace
}  // namespace coact::bench
