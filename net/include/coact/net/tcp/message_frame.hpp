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
/// Cap'n Proto reader reads the result as an ordinary Frame. The payload's words are
/// copied as they are, preceded by its own root pointer (a word no Frame field refers to),
/// so that the receiver can read the payload as a message of its own. `payload` is what
/// coact::payload_words gives: empty for none.
void append_message_frame(const wire_header& header, std::span<const capnp::word> payload,
                          frame_words& out);

/// A message frame in the layout append_message_frame writes.
struct message_frame {
  wire_header header;
  /// The payload as a single-segment message: its root pointer, then the words after it
  /// to the frame's end. Not yet checked: read it with a bounds-checking reader.
  std::span<const capnp::word> payload;
};

/// The frame's header and payload if `frame` (segment table included) has exactly the
/// layout append_message_frame writes; nothing for any other frame, which is then read
/// with a Cap'n Proto reader. Reads only words inside `frame`.
[[nodiscard]] std::optional<message_frame> read_message_frame(
    std::span<const capnp::word> frame) noexcept;

/// The message of a frame read_message_frame took, as a new envelope: its payload's words
/// checked and copied as they are by envelope_from_wire; one that check does not accept
/// is read instead with a bounds-checking reader under `limits` (frame_reader_options) and
/// copied out through it. Returns envelope_from_wire's errors (errc::malformed_message also
/// when the reader rejects the payload).
[[nodiscard]] result<envelope> envelope_of(const message_frame& m,
                                           const capnp::ReaderOptions& limits,
                                           std::size_t bytes_max);

}  // namespace coact::net::tcp
