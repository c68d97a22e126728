#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <new>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/message.hpp"

namespace coact::detail {

class system_core;
struct node_home;

/// Runtime-level meaning of a system envelope. Control envelopes carry everything in
/// the header; down and exit also carry a user-visible Down or Exit payload.
enum class control : std::uint8_t {
  none,
  start,      // begin running a freshly spawned actor
  kill,       // stop the target with `error`
  monitor,    // sender watches target
  demonitor,  // sender stops watching target
  link,       // sender and target are linked
  unlink,
  exit,       // a linked actor stopped; payload sys::Exit
  down,       // a monitored actor stopped; payload sys::Down
};

/// Words in the inline first segment: enough for small messages (a few scalars and a
/// short text), small enough that a queued message stays a few hundred bytes.
inline constexpr std::size_t first_segment_words = 16;

/// A message and its routing header. Recycled through a per-thread pool. The payload
/// is a sealed, contiguous Cap'n Proto message (read without bounds checks, since only
/// this process's builders wrote it): a queued small message is a couple of cache lines.
struct envelope_node {
  envelope_node* next = nullptr;
  node_home* home = nullptr;      // the pool of the thread that allocated it
  system_core* system = nullptr;  // set when sent; needed to answer unanswered asks
  actor_ref target;
  actor_ref sender;
  std::uint64_t correlation = 0;
  std::uint64_t type_id = 0;
  std::error_code error;  // a reply that carries an error instead of a payload
  message_kind kind = message_kind::tell;
  control ctl = control::none;
  bool replied = false;

  /// The sealed payload's first word (its root pointer): `segment` or `flat`.
  const capnp::word* data = nullptr;
  /// Heap copy of a payload that outgrew the inline segment; owned.
  capnp::word* flat = nullptr;
  /// Payload size in words (for the inline segment, its capacity: an upper bound).
  std::size_t payload_words = 0;
  /// Zeroed whenever the node is in a pool, as Cap'n Proto builders require.
  capnp::word segment[first_segment_words];

  [[nodiscard]] std::size_t payload_bytes() const noexcept {
    return payload_words * sizeof(capnp::word);
  }
};

}  // namespace coact::detail
