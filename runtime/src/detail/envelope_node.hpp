#pragma once

#include <capnp/message.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/wire.hpp"

namespace coact::detail {

class system_core;
struct node_home;

/// Runtime-level meaning of a system envelope (start, kill, monitor, down, ...). Control
/// envelopes carry everything in the header; down and exit also carry a Down or Exit
/// payload. The same enum travels between nodes (coact/runtime/wire.hpp).
using control = system_control;

/// Words in the inline first segment: enough for small messages (a few scalars and a
/// short text), small enough that a queued message stays a few hundred bytes.
inline constexpr std::size_t first_segment_words = 16;

/// A message and its routing header. Recycled through a per-thread pool. The payload
/// is a sealed, contiguous Cap'n Proto message (read without bounds checks, since only
/// this process's builders wrote it). Cache-line aligned, with the header in the first
/// 112 bytes: a small payload ends in the second line, so sending one touches two lines.
struct envelope_node {
  envelope_node* next = nullptr;
  node_home* home = nullptr;      // the pool of the thread that allocated it
  system_core* system = nullptr;  // set when sent; needed to answer unanswered asks
  actor_ref target;
  actor_ref sender;
  std::uint64_t correlation = 0;
  std::uint64_t type_id = 0;
  std::error_code error;  // a reply that carries an error instead of a payload
  /// Heap copy of a payload that outgrew the inline segment; owned.
  capnp::word* flat = nullptr;
  /// Payload size in words.
  std::uint32_t payload_words = 0;
  /// Words of `segment` that may be non-zero. They are cleared only when a builder or a
  /// checked copy is about to write into the segment (zero_segment), never on release: a
  /// flood's receiver that does not read the payload then never touches its cache line,
  /// and a message copied in whole from the thread's reused builder needs no zeroes.
  std::uint16_t segment_words_dirty = 0;
  message_kind kind = message_kind::tell;
  control ctl = control::none;
  bool replied = false;
  /// Beyond payload_words, what earlier messages left (see segment_words_dirty).
  capnp::word segment[first_segment_words];

  /// Clears what earlier messages left in `segment`, as a Cap'n Proto builder (or a copy
  /// through one) writing into it requires.
  void zero_segment() noexcept {
    std::memset(static_cast<void*>(segment), 0, segment_words_dirty * sizeof(capnp::word));
    segment_words_dirty = 0;
  }

  /// The sealed payload's first word (its root pointer).
  [[nodiscard]] const capnp::word* payload() const noexcept {
    return flat != nullptr ? flat : segment;
  }
  [[nodiscard]] std::size_t payload_bytes() const noexcept {
    return payload_words * sizeof(capnp::word);
  }
};
static_assert(offsetof(envelope_node, segment) <= 112, "a small payload must end in line two");

}  // namespace coact::detail
