#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <new>

#include "coact/runtime/actor_ref.hpp"
#include "arena_builder.hpp"
#include "coact/runtime/message.hpp"

namespace coact::detail {

class system_core;

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
inline constexpr std::size_t first_segment_words = 32;

/// A message and its routing header. Recycled through a per-thread pool; the Cap'n
/// Proto builder is rebuilt in place on each reuse (its destructor re-zeroes the inline
/// segment).
struct envelope_node {
  envelope_node* next = nullptr;
  system_core* system = nullptr;  // set when sent; needed to answer unanswered asks
  actor_ref target;
  actor_ref sender;
  std::uint64_t correlation = 0;
  std::uint64_t type_id = 0;
  std::error_code error;  // a reply that carries an error instead of a payload
  message_kind kind = message_kind::tell;
  control ctl = control::none;
  bool replied = false;

  alignas(arena_builder) unsigned char builder_space[sizeof(arena_builder)];
  capnp::word segment[first_segment_words];

  arena_builder& builder() noexcept {
    return *std::launder(reinterpret_cast<arena_builder*>(builder_space));
  }
  /// Size of the payload in bytes, as it would be framed.
  [[nodiscard]] std::size_t payload_bytes();
};

}  // namespace coact::detail
