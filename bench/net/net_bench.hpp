#pragma once

// What both sides of the network benchmarks (coact's TCP transport and raw Asio) share:
// the amount of work, the payload, and the bound on a run's time.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "common/bench_scale.hpp"
#include "runtime/workloads.hpp"

namespace coact::bench {

/// Application bytes per message on both sides; the first 8 carry a sequence number.
inline constexpr std::size_t payload_bytes = 64;

/// One-way messages of one net/throughput run (before COACT_BENCH_SCALE).
inline constexpr std::int64_t throughput_messages = 1'000'000;

/// Sequential round trips of one net/rtt run (before COACT_BENCH_SCALE).
inline constexpr std::int64_t rtt_round_trips = 100'000;

/// Frames the raw Asio writer puts in one write.
inline constexpr std::int64_t asio_frames_per_write = 1'024;

/// A run still going after this long has failed: every wait gives up then.
inline constexpr std::chrono::seconds run_time_max{120};

/// Writes `sequence` into the first bytes of `payload` and a fixed pattern after it, so
/// that both sides touch every payload byte of every message.
inline void fill_payload(std::span<std::byte> payload, std::uint64_t sequence) noexcept {
  std::memset(payload.data(), 0x5a, payload.size());
  std::memcpy(payload.data(), &sequence, std::min(sizeof sequence, payload.size()));
}

/// The sequence number fill_payload wrote.
inline std::uint64_t sequence_of(std::span<const std::byte> payload) noexcept {
  std::uint64_t sequence = 0;
  std::memcpy(&sequence, payload.data(), std::min(sizeof sequence, payload.size()));
  return sequence;
}

}  // namespace coact::bench
