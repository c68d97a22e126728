#pragma once

#include <capnp/message.h>

#include <optional>
#include <span>

#include "coact/net/tcp/frame_codec.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/wire.hpp"

namespace coact::net::tcp {

/// Appends one actor message as a wire::Frame (its `message` member) in Cap'n Proto's
/// stream framing, written word by word in one fixed layout instead of through a
/// MessageBuilder: a builder's arena costs more than the whole frame on the hot path. Any
/// Cap'n Proto reader reads the result as an ordinary Frame. The header takes 7 data words
/// (8 with a correlation); the payload's root pointer, as sealed, is the Frame's payload
/// pointer, and its other words follow as they followed their root, so that the receiver
/// can read the payload, from that pointer on, as a message of its own. `payload` is what
/// coact::payload_words gives: empty for none.
void append_message_frame(const wire_header& header, std::span<const capnp::word> payload,
                          frame_words& out);

/// A message frame in the layout append_message_frame writes.
struct message_frame {
  wire_header header;
  /// The payload as a single-segment message: its root pointer (the Frame's payload
  /// pointer), then the words after it to the frame's end; empty for a null payload. Not
  /// yet checked: read it with a bounds-checking reader.
  std::span<const capnp::word> payload;
  /// The whole frame, segment table included.
  std::span<const capnp::word> frame;
};

/// The frame's header and payload if `frame` (segment table included) has exactly the
/// layout append_message_frame writes; nothing for any other frame, which is then read
/// with a Cap'n Proto reader. Reads only words inside `frame`.
[[nodiscard]] std::optional<message_frame> read_message_frame(
    std::span<const capnp::word> frame) noexcept;

/// The message of a frame read_message_frame took, as a new envelope: its payload's words
/// checked and copied as they are by envelope_from_wire; one that check does not accept
/// (a payload pointing outside its own words, say, or with far pointers) is read instead
/// from the whole frame by a bounds-checking reader under `limits` (frame_reader_options)
/// and copied out through it. Returns envelope_from_wire's errors (errc::malformed_message also
/// when the reader rejects the payload).
[[nodiscard]] result<envelope> envelope_of(const message_frame& m,
                                           const capnp::ReaderOptions& limits,
                                           std::size_t bytes_max);

}  // namespace coact::net::tcp
