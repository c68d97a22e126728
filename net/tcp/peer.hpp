#pragma once

#include <asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "coact/net/tcp/backoff.hpp"
#include "coact/net/tcp/failure_detector.hpp"
#include "coact/net/tcp/frame_codec.hpp"
#include "coact/net/tcp/transport.hpp"
#include "connection.hpp"

namespace coact::net::tcp {

/// Frames per socket write: enough to amortise the system call, few enough that the
/// receiving side starts decoding while this side still encodes, and that a write's
/// words are still in cache when the kernel copies them.
inline constexpr std::size_t frames_per_write_max = 1024;

/// Written chunks of encoded frames a peer keeps for reuse.
inline constexpr std::size_t spare_chunks_max = 4;

/// The most words a new chunk reserves at once (256 KiB): room for a whole chunk of
/// small messages, so that it never grows word by word.
inline constexpr std::size_t chunk_words_reserved_max = std::size_t{1} << 15;

/// Another node, as the transport's node table holds it: its address, where it stands,
/// and its outbound channel (the messages waiting for it, encoded or not, and the
/// connection they leave by). Lives as long as the transport.
struct peer {
  peer(peer_address a, bool connects, const transport_limits& limits, std::uint64_t seed)
      : address(std::move(a)), we_connect(connects), detector(limits.failure_detector),
        retry(limits.reconnect, prng{seed}) {}

  peer_address address;
  /// Of each pair of nodes, the one with the smaller id connects: one connection a pair.
  bool we_connect;

  // Shared with route() on other threads than the transport's.
  std::mutex mutex;
  std::deque<envelope> outbound;
  bool down = false;  // written (locked) on the transport's thread, which reads it unlocked
  bool wake_posted = false;
  /// outbound.size(), stored under the mutex, for the transport's thread to read unlocked.
  std::atomic<std::size_t> outbound_count{0};
  /// Frames in `encoded`, stored by the transport's thread, for the queue's bound.
  std::atomic<std::size_t> encoded_frames{0};

  // The transport's thread only.
  /// What the shards hosted on the transport's thread routed, encoded at once (their
  /// envelopes back in the pool already), for the writer: chunks of up to
  /// frames_per_write_max frames, one write each.
  std::deque<frame_words> encoded;
  std::size_t last_chunk_frames = 0;      // frames in encoded.back()
  std::vector<frame_words> spare_chunks;  // written ones, for reuse
  peer_state state = peer_state::connecting;
  /// Whether it has ever been up: its next connection is then a rejoin, for the log.
  bool was_up = false;
  /// Whether the last attempt to resolve its host failed: said once until one succeeds.
  bool resolve_failed = false;
  std::shared_ptr<connection> conn;
  phi_accrual_detector detector;
  backoff retry;
  std::optional<asio::steady_timer> wake;   // the writer waits on it for work
  std::optional<asio::steady_timer> pause;  // between attempts to connect
  bool writer_idle = false;                 // the writer waits on `wake`, queue empty
  bool wake_check_posted = false;           // see transport::impl::route_here
  time_point last_beat{};                   // when the last heartbeat was written
  std::uint64_t beats = 0;                  // heartbeats written

  /// Drops what is encoded and not yet taken by the writer; returns how many frames.
  std::size_t drop_encoded() noexcept {
    encoded.clear();
    last_chunk_frames = 0;
    return encoded_frames.exchange(0, std::memory_order_relaxed);
  }

  /// Resumes the writer if it waits for work.
  void wake_writer() {
    if (std::exchange(writer_idle, false)) wake->cancel();
  }

  /// Whether a frame may be written on the connection now, bypassing the writer.
  [[nodiscard]] bool can_write_now() const noexcept {
    return conn && !conn->closed && !conn->writing && conn->unsent.empty();
  }

  /// Moves the oldest chunk into `into` (empty), whose buffer goes back for reuse; returns
  /// its frames.
  std::size_t take_oldest_chunk(frame_words& into) {
    const std::size_t frames = encoded.size() == 1 ? last_chunk_frames : frames_per_write_max;
    into.swap(encoded.front());
    if (spare_chunks.size() < spare_chunks_max) spare_chunks.push_back(std::move(encoded.front()));
    encoded.pop_front();
    if (encoded.empty()) last_chunk_frames = 0;
    encoded_frames.store(encoded_frames.load(std::memory_order_relaxed) - frames,
                         std::memory_order_relaxed);
    return frames;
  }
};

}  // namespace coact::net::tcp
