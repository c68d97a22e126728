#pragma once

// The runtime benchmark workloads as both implementations (coact and CAF) run them: the base
// counts, the scale that shrinks them for smoke runs, and the helpers both sides measure
// with. Deliberately free of coact and CAF so that either side builds against it alone.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/bench_scale.hpp"

namespace coact::bench {

// Actor counts and batch sizes shape a workload and stay fixed; only the amount of work
// (round trips, hops, messages, rounds, pings, spawns, asks) is scaled.

/// Messages a flooding sender puts out before it lets others run (a yield in coact, a
/// message to itself in CAF), so that the flooded mailbox never holds the whole run.
inline constexpr std::int64_t batch_size = 1'000;

inline constexpr std::int64_t pingpong_round_trips = 1'000'000;

inline constexpr std::int64_t thread_ring_actors = 100;
inline constexpr std::int64_t thread_ring_hops = 1'000'000;

inline constexpr std::int64_t counting_increments = 10'000'000;

inline constexpr std::int64_t mailbox_n1_senders = 100;
inline constexpr std::int64_t mailbox_n1_messages_per_sender = 10'000;

inline constexpr std::int64_t fork_join_workers = 1'000;
inline constexpr std::int64_t fork_join_rounds = 1'000;

inline constexpr std::int64_t big_actors = 120;
inline constexpr std::int64_t big_pings_per_actor = 10'000;

inline constexpr std::int64_t spawn_actors = 1'000'000;
inline constexpr std::int64_t spawn_batch_size = 1'000;
/// Not scaled: bytes_per_idle_actor is an average, and a few actors would mostly measure
/// allocator noise.
inline constexpr std::int64_t spawn_idle_actors = 10'000;

inline constexpr std::int64_t ask_latency_asks = 100'000;

/// One asker asks the same request of 3 or 5 responders at once, then waits for every
/// answer or for a majority, this many times.
inline constexpr std::int64_t fanout_rounds = 20'000;

/// What a fan-out round waits for before the next: every answer, or a majority of them
/// (the rest, when they come, are absorbed).
enum class fanout_wait { all, majority };

/// The answers that end a round of `targets` asks.
inline constexpr std::size_t fanout_needed(fanout_wait wait, std::size_t targets) {
  return wait == fanout_wait::all ? targets : targets / 2 + 1;
}

/// Registers the four fan-out variants (all_3, all_5, majority_3, majority_5) of `workload`
/// under "<name>/<variant>", at the given thread counts. Both sides name them alike.
template <class Workload>
void register_fanout(const std::string& name, Workload workload,
                     std::vector<std::int64_t> threads) {
  struct variant {
    const char* suffix;
    fanout_wait wait;
    std::int64_t responders;
  };
  constexpr variant variants[] = {{"all_3", fanout_wait::all, 3},
                                  {"all_5", fanout_wait::all, 5},
                                  {"majority_3", fanout_wait::majority, 3},
                                  {"majority_5", fanout_wait::majority, 5}};
  for (const variant& v : variants) {
    auto* b = benchmark::RegisterBenchmark((name + "/" + v.suffix).c_str(), workload, v.wait,
                                           v.responders);
    b->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);
    for (const std::int64_t t : threads) b->Arg(t);
  }
}

/// splitmix64 (Steele, Lea, Flood 2014): both sides draw the same peer sequences from the
/// same seeds, which no std:: distribution guarantees across standard libraries.
class splitmix64 {
 public:
  explicit constexpr splitmix64(std::uint64_t seed) noexcept : state_{seed} {}

  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

/// Heap bytes the process holds: chunks in use in every malloc arena plus mmapped chunks.
/// glibc's mallinfo2 walks all arenas, so allocations made on scheduler threads count too.
inline std::size_t heap_bytes_in_use() {
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

/// Nearest-rank percentile, percent in (0, 100]; 0 for no samples. Takes a copy because
/// selecting reorders.
inline double percentile(std::vector<double> samples, double percent) {
  if (samples.empty()) return 0.0;
  const auto rank =
      static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(samples.size())));
  const std::size_t index = std::clamp<std::size_t>(rank, 1, samples.size()) - 1;
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(index);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

/// The counters of an ask-latency run of `asks` asks a pass: the asks answered per second,
/// and the median and 99th percentile of the last pass's `latencies_ns`.
inline void report_ask_latencies(benchmark::State& state, std::int64_t asks,
                                 const std::vector<double>& latencies_ns) {
  state.SetItemsProcessed(state.iterations() * asks);
  state.counters["p50_ns"] = percentile(latencies_ns, 50.0);
  state.counters["p99_ns"] = percentile(latencies_ns, 99.0);
}

}  // namespace coact::bench
