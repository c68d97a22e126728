#pragma once

#include <capnp/any.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"

namespace coact {

/// Where an error carried by a reply comes from, so that it means the same on the other
/// node.
enum class error_domain : std::uint8_t {
  none,     ///< no error: the reply carries a payload
  coact,    ///< a coact::errc value
  generic,  ///< a std::generic_category() (errno) value
};

/// What a system message means to the runtime. The network reads it to learn which remote
/// actors local actors watch (so that it can tell them when a node is lost).
enum class system_control : std::uint8_t {
  none,
  start,      ///< begin running a freshly spawned actor
  kill,       ///< stop the target with the message's error
  monitor,    ///< sender watches target
  demonitor,  ///< sender stops watching target
  link,       ///< sender and target are linked
  unlink,
  exit,  ///< a linked actor stopped (payload sys::Exit)
  down,  ///< a monitored actor stopped (payload sys::Down)
};

/// The routing header of a message as it crosses from one node to another: what the
/// network layer encodes beside the payload.
struct wire_header {
  message_kind kind = message_kind::tell;
  system_control control = system_control::none;
  actor_ref target;
  actor_ref sender;
  std::uint64_t correlation = 0;
  std::uint64_t type_id = 0;
  error_domain error = error_domain::none;
  std::int32_t error_value = 0;
};

/// The header of a message about to leave for another node. An error of another category
/// than coact's, the system's or the generic one travels as errc::actor_failed.
[[nodiscard]] wire_header header_of(const envelope& e) noexcept;

/// The sealed payload of a message about to leave for another node: its root pointer,
/// then the words it points to, all in one segment (pointers inside are relative, so the
/// words can be copied as they are); empty when the message has no payload.
[[nodiscard]] std::span<const capnp::word> payload_words(const envelope& e) noexcept;

/// A message that arrived from another node, as a new envelope: the header, and the
/// payload copied out of the receive buffer. `payload` must come from a reader that checks
/// bounds (a capnp::MessageReader over the received words): it is read once here, with
/// those checks, and only the copy is read unchecked later. Errors:
/// errc::malformed_message (an unknown kind or error domain, a payload that is not a
/// struct, or that the checked read rejects). Its size is bounded by the reader's traversal
/// limit: the network sets that from the size of the frame it read.
[[nodiscard]] result<envelope> envelope_from_wire(const wire_header& header,
                                                  capnp::AnyPointer::Reader payload);

/// The same from the payload's words as they arrived: a single-segment message, its root
/// pointer first (empty for no payload), copied as it is (one memcpy, no traversal by a
/// Cap'n Proto reader) once a check has followed every pointer in it. The check accepts
/// only struct and list pointers whose targets lie inside `payload`, nested at most 64
/// deep, reaching together no more words than `payload` holds and no more elements of no
/// size (voids, empty structs) than it has bytes (so no cycles, and no amplification by
/// overlapping pointers or lists of empty elements). Errors:
/// errc::malformed_message also for every payload beyond that check, such as one with far
/// pointers or capabilities, which the other overload may still read. Its size is that of
/// `payload`: the network bounds it by the size of the frame it arrived in.
[[nodiscard]] result<envelope> envelope_from_wire(const wire_header& header,
                                                  std::span<const capnp::word> payload);

}  // namespace coact
