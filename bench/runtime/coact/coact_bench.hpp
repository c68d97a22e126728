#pragma once

// What every coact workload shares: a system per benchmark run with one shard per
// benchmark thread, and placement of actor i on shard i mod threads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <future>

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

/// Spawns or fails the benchmark: a benchmark that cannot spawn measures nothing.
template <class... Args>
actor_ref must_spawn(actor_system& system, const spawn_options& options, Args&&... args) {
  auto ref = system.spawn(options, std::forward<Args>(args)...);
  if (!ref) throw std::runtime_error{"spawn failed: " + ref.error().message()};
  return ref.value();
}

}  // namespace coact::bench
