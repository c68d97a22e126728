#include "coact/net/tcp/frame_parser.hpp"

namespace coact::net::tcp {
namespace {

/// The reference in a Target or Sender group (two types of one shape).
template <class Group>
actor_ref ref_of(Group r) {
  return {r.getNode(), r.getShard(), r.getId(), r.getGeneration()};
}

}  // namespace

capnp::ReaderOptions frame_reader_options(std::size_t frame_bytes_max) noexcept {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = frame_bytes_max / sizeof(capnp::word) + 1;
  o.nestingLimit = 64;
  return o;
}

wire_header message_header(wire::Frame::Message::Reader message) {
  wire_header h;
  h.kind = static_cast<message_kind>(message.getKind());
  h.control = static_cast<system_control>(message.getControl());
  h.target = ref_of(message.getTarget());
  h.sender = ref_of(message.getSender());
  h.correlation = message.getCorrelation();
  h.type_id = message.getTypeId();
  h.error = static_cast<error_domain>(message.getErrorDomain());
  h.error_value = message.getErrorValue();
  return h;
}

}  // namespace coact::net::tcp
