#include "coact/runtime/wire.hpp"

#include <capnp/message.h>
#include <kj/exception.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "detail/envelope_node.hpp"

namespace coact {

wire_header header_of(const envelope& e) noexcept {
  const detail::envelope_node& n = *e.node();
  wire_header h;
  h.kind = n.kind;
  h.control = n.ctl;
  h.target = n.target;
  h.sender = n.sender;
  h.correlation = n.correlation;
  h.type_id = n.type_id;
  if (n.error) {
    if (n.error.category() == error_category()) {
      h.error = error_domain::coact;
      h.error_value = n.error.value();
    } else if (n.error.category() == std::generic_category() ||
               n.error.category() == std::system_category()) {
      h.error = error_domain::generic;
      h.error_value = n.error.value();
    } else {
      h.error = error_domain::coact;
      h.error_value = static_cast<std::int32_t>(errc::actor_failed);
    }
  }
  return h;
}

std::span<const capnp::word> payload_words(const envelope& e) noexcept {
  const detail::envelope_node& n = *e.node();
  return {n.payload(), n.payload_words};
}

result<envelope> envelope_from_wire(const wire_header& header, capnp::AnyPointer::Reader payload,
                                    std::size_t bytes_max) {
  if (header.kind > message_kind::system || header.error > error_domain::generic ||
      header.control > system_control::down) {
    return errc::malformed_message;
  }
  std::size_t words = 0;
  try {
    // The checked read: every pointer of the payload is followed, within the reader's
    // bounds and traversal limit, before anything reads it unchecked.
    if (!payload.isNull() && !payload.isStruct()) return errc::malformed_message;
    words = payload.targetSize().wordCount + 1;  // + the root pointer
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
  if (words * sizeof(capnp::word) > bytes_max) return errc::message_too_large;

  envelope e{detail::acquire_node()};
  detail::envelope_node& n = *e.node();
  n.kind = header.kind;
  n.ctl = header.control;
  n.target = header.target;
  n.sender = header.sender;
  n.correlation = header.correlation;
  n.type_id = header.type_id;
  if (header.error == error_domain::coact) {
    n.error = std::error_code{header.error_value, error_category()};
  } else if (header.error == error_domain::generic) {
    n.error = std::error_code{header.error_value, std::generic_category()};
  }
  // Until it is delivered, this message answers nobody if dropped: the sender's node
  // handles its own losses.
  n.replied = true;
  capnp::word* out = n.segment;
  if (words > detail::first_segment_words) {
    out = static_cast<capnp::word*>(std::calloc(words, sizeof(capnp::word)));
    if (out == nullptr) throw std::bad_alloc{};
    n.flat = out;
  } else {
    // The copy goes through a builder, which needs zeroes; and if it fails half way the
    // words it wrote are dirty (a builder over stale words follows stale pointers).
    n.zero_segment();
    n.segment_words_dirty = static_cast<std::uint16_t>(words);
  }
  try {
    if (!payload.isNull()) {
      capnp::copyToUnchecked(payload.getAs<capnp::AnyStruct>(), kj::arrayPtr(out, words));
    }
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
  n.payload_words = static_cast<std::uint32_t>(words);
  n.replied = false;
  return e;
}

}  // namespace coact
