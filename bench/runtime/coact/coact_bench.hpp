#pragma once

// What every coact workload shares: a system per benchmark run with one shard per
// benchmark thread, and placement of actor i on shard i mod threads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <future>
#include <limits>

#include "bench_messages.capnp.h"
#include "coact/runtime/actor_system.hpp"
#include "workloads.hpp"

namespace coact::bench {

inline system_config config_for(const benchmark::State& state) {
  return system_config{.shard_count = static_cast<std::size_t>(state.range(0))};
}

inline spawn_options on_shard(std::uint64_t i, const actor_system& system) {
  return spawn_options{.shard = static_cast<std::uint32_t>(i % system.shard_count())};
}

/// For an actor that drains a flood: it takes its whole mailbox in one turn (CAF's
/// default throughput), instead of handing the shard back every few messages.
inline spawn_options sink_on_shard(std::uint64_t i, const actor_system& system) {
  spawn_options options = on_shard(i, system);
  options.messages_per_turn = std::numeric_limits<std::uint32_t>::max();
  return options;
}

/// Sequential workloads (one message in flight) run twice: with their actors on one shard,
/// as CAF's scheduler places them (a woken actor runs on the waking worker), and spread
/// over the shards, which measures the cross-shard path.
enum class placement { co_located, cross_shard };

inline std::uint64_t shard_for(placement p, std::uint64_t i) {
  return p == placement::co_located ? 0 : i;
}

/// Sends `count` Add{1} to `target` in batches with a yield between them, as the CAF side
/// does with a continue message, so that the target's mailbox never holds the whole run.
inline task<void> send_increments(actor_context& self, actor_ref target, std::int64_t count) {
  for (std::int64_t sent = 0; sent < count;) {
    for (std::int64_t i = 0; i < batch_size && sent < count; ++i, ++sent) {
      message<Add> add;
      add->setValue(1);
      self.tell(target, std::move(add));
    }
    co_await self.yield();
  }
}

/// Spawns or fails the benchmark: a benchmark that cannot spawn measures nothing.
template <class... Args>
actor_ref must_spawn(actor_system& system, const spawn_options& options, Args&&... args) {
  auto ref = system.spawn(options, std::forward<Args>(args)...);
  if (!ref) throw std::runtime_error{"spawn failed: " + ref.error().message()};
  return ref.value();
}

}  // namespace coact::bench
