#pragma once

#include <capnp/message.h>

#include <cstddef>

#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/wire.hpp"

namespace coact::net::tcp {

/// The options every received frame is read with (capnp::FlatArrayMessageReader over the
/// words frame_decoder::next() gave): a traversal limit of one frame of `frame_bytes_max`
/// bytes plus its root pointer, so that a frame whose pointers overlap cannot make the
/// reader walk more than it could hold, and a nesting limit of 64.
[[nodiscard]] capnp::ReaderOptions frame_reader_options(std::size_t frame_bytes_max) noexcept;

/// The routing header of a received Message, read field by field and not checked:
/// envelope_from_wire checks kind, control and error domain, the transport the nodes.
[[nodiscard]] wire_header message_header(wire::Frame::Message::Reader message);

}  // namespace coact::net::tcp
