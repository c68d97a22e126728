#include "coact/net/tcp/frame_codec.hpp"

#include <capnp/any.h>
#include <kj/exception.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

namespace coact::net::tcp {
namespace {

constexpr std::size_t word_bytes = sizeof(capnp::word);

/// Levels of structs and lists a frame may nest, as Cap'n Proto's readers allow by default.
constexpr int nesting_max = 64;

/// Bytes of a segment table for `segments` segments: a count and one size each, 32 bits
/// apiece, padded to a whole word.
constexpr std::size_t table_bytes(std::size_t segments) {
  return ((segments + 1) * 4 + word_bytes - 1) / word_bytes * word_bytes;
}

std::uint32_t load_u32(const std::byte* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;  // the wire is little-endian, as is every machine coact builds for
}

static_assert(std::endian::native == std::endian::little, "Cap'n Proto's wire is little-endian");

// The layout, in words of the one segment (after the one-word segment table). The field
// offsets are those of wire.capnp's generated code; tests/net/tcp/message_frame_test.cpp
// reads frames written here with Cap'n Proto's reader to keep them honest.
//   0      root pointer -> Frame at 1 (7 data words, or 8 with a correlation; 1 pointer)
//   1      discriminant (Frame::MESSAGE, bytes 0-1), kind (2), control (3), errorDomain (4)
//   2      errorValue (bytes 8-11), target.node (12-15)
//   3      typeId (16-23)
//   4      target.shard (24-27), target.id (28-31)
//   5      target.generation (32-35), sender.node (36-39)
//   6      sender.shard (40-43), sender.id (44-47)
//   7      sender.generation (48-51)
//   8      correlation (56-63), left off when it is 0
//   then   the payload pointer: the payload's own root pointer, as sealed, for the
//          payload's words after it follow it just as they follow their root
constexpr std::size_t data_words_max = 8;
constexpr std::uint16_t message_discriminant = wire::Frame::MESSAGE;

constexpr std::uint64_t struct_pointer(std::uint16_t data_words, std::uint16_t pointers) noexcept {
  return (std::uint64_t{data_words} << 32) | (std::uint64_t{pointers} << 48);
}

std::uint64_t load(const capnp::word* w) noexcept {
  std::uint64_t v;
  std::memcpy(&v, w, sizeof v);
  return v;
}

void store(capnp::word* w, std::uint64_t v) noexcept {
  std::memcpy(static_cast<void*>(w), &v, sizeof v);
}

std::uint64_t pair(std::uint32_t low, std::uint32_t high) noexcept {
  return std::uint64_t{low} | std::uint64_t{high} << 32;
}

/// A message frame in the layout append_message_frame writes.
struct message_layout {
  wire_header header;
  /// The payload as a single-segment message: its root pointer (the Frame's payload
  /// pointer), then the words after it to the frame's end; empty for a null payload. Not
  /// yet checked.
  std::span<const capnp::word> payload;
};

/// The reference in a Target or Sender group (two types of one shape).
template <class Group>
actor_ref ref_of(Group r) {
  return {r.getNode(), r.getShard(), r.getId(), r.getGeneration()};
}

/// The routing header of a Message read by Cap'n Proto's reader, field by field and not
/// checked: envelope_from_wire checks kind, control and error domain, the transport the
/// nodes.
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

/// The frame's header and payload if `frame` (segment table included) has exactly the
/// layout append_message_frame writes; nothing for any other frame. Reads only words
/// inside `frame`.
std::optional<message_layout> fixed_layout(std::span<const capnp::word> frame) noexcept {
  constexpr std::size_t shortest = 1 + 1 + (data_words_max - 1) + 1;
  if (frame.size() < shortest) return std::nullopt;
  const std::uint64_t table = load(frame.data());
  if (static_cast<std::uint32_t>(table) != 0 || (table >> 32) != frame.size() - 1) {
    return std::nullopt;
  }
  const capnp::word* s = frame.data() + 1;
  const std::uint64_t root = load(s + 0);
  std::size_t data_words = data_words_max;
  if (root == struct_pointer(data_words_max - 1, 1)) {
    data_words = data_words_max - 1;
  } else if (root != struct_pointer(data_words_max, 1) || frame.size() < shortest + 1) {
    return std::nullopt;
  }
  const std::uint64_t first = load(s + 1);
  if ((first & 0xffff) != message_discriminant) return std::nullopt;

  message_layout m;
  m.header.kind = static_cast<message_kind>(first >> 16);
  m.header.control = static_cast<system_control>(first >> 24);
  m.header.error = static_cast<error_domain>(first >> 32);
  const std::uint64_t w2 = load(s + 2);
  const std::uint64_t w4 = load(s + 4);
  const std::uint64_t w5 = load(s + 5);
  const std::uint64_t w6 = load(s + 6);
  m.header.error_value = static_cast<std::int32_t>(static_cast<std::uint32_t>(w2));
  m.header.type_id = load(s + 3);
  m.header.target = {static_cast<std::uint32_t>(w2 >> 32), static_cast<std::uint32_t>(w4),
                     static_cast<std::uint32_t>(w4 >> 32), static_cast<std::uint32_t>(w5)};
  m.header.sender = {static_cast<std::uint32_t>(w5 >> 32), static_cast<std::uint32_t>(w6),
                     static_cast<std::uint32_t>(w6 >> 32), static_cast<std::uint32_t>(load(s + 7))};
  m.header.correlation = data_words == data_words_max ? load(s + 8) : 0;
  const std::size_t slot = 1 + 1 + data_words;
  if (load(frame.data() + slot) != 0) m.payload = frame.subspan(slot);
  return m;
}

}  // namespace

void append_frame(capnp::MessageBuilder& message, frame_words& out) {
  const auto segments = message.getSegmentsForOutput();
  const std::size_t table_words = table_bytes(segments.size()) / word_bytes;
  std::size_t words = table_words;
  for (const auto& s : segments) words += s.size();
  const std::size_t start = out.size();
  out.resize(start + words);
  auto* table = reinterpret_cast<std::uint32_t*>(out.data() + start);
  std::memset(table, 0, table_words * word_bytes);
  table[0] = static_cast<std::uint32_t>(segments.size() - 1);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    table[i + 1] = static_cast<std::uint32_t>(segments[i].size());
  }
  capnp::word* at = out.data() + start + table_words;
  for (const auto& s : segments) {
    std::memcpy(at, s.begin(), s.size() * word_bytes);
    at += s.size();
  }
}

void append_message_frame(const wire_header& header, std::span<const capnp::word> payload,
                          frame_words& out) {
  const std::size_t data_words = header.correlation == 0 ? data_words_max - 1 : data_words_max;
  const std::size_t payload_after_root = payload.empty() ? 0 : payload.size() - 1;
  const std::size_t segment_words = 1 + data_words + 1 + payload_after_root;
  const std::size_t start = out.size();
  out.resize(start + 1 + segment_words);  // uninitialised: every word is written below
  capnp::word* table = out.data() + start;
  store(table, std::uint64_t{segment_words} << 32);  // one segment (count - 1 = 0), its size
  capnp::word* s = table + 1;
  const actor_ref& t = header.target;
  const actor_ref& from = header.sender;
  store(s + 0, struct_pointer(static_cast<std::uint16_t>(data_words), 1));
  // Bytes 5-7 and 52-55, which no field uses, stay zero as Cap'n Proto requires.
  store(s + 1, std::uint64_t{message_discriminant} |
                   std::uint64_t{static_cast<std::uint8_t>(header.kind)} << 16 |
                   std::uint64_t{static_cast<std::uint8_t>(header.control)} << 24 |
                   std::uint64_t{static_cast<std::uint8_t>(header.error)} << 32);
  store(s + 2, pair(static_cast<std::uint32_t>(header.error_value), t.node));
  store(s + 3, header.type_id);
  store(s + 4, pair(t.shard, t.id));
  store(s + 5, pair(t.generation, from.node));
  store(s + 6, pair(from.shard, from.id));
  store(s + 7, from.generation);
  if (data_words == data_words_max) store(s + 8, header.correlation);
  capnp::word* slot = s + 1 + data_words;
  store(slot, payload.empty() ? 0 : load(payload.data()));
  if (payload_after_root > 0) {
    std::memcpy(static_cast<void*>(slot + 1), payload.data() + 1,
                payload_after_root * sizeof(capnp::word));
  }
}

std::size_t message_frame_bytes(std::span<const capnp::word> payload) noexcept {
  // The segment table, the root pointer, the header, then the payload from its root on.
  return (1 + 1 + data_words_max + std::max<std::size_t>(payload.size(), 1)) * word_bytes;
}

frame_decoder::frame_decoder(std::size_t frame_bytes_max) : frame_bytes_max_(frame_bytes_max) {
  // A payload lies inside its frame: bounding the frame bounds every read of it, and the
  // words a traversal may visit (overlapping pointers visit words twice) to as many.
  options_.traversalLimitInWords = frame_bytes_max / word_bytes + 1;
  options_.nestingLimit = nesting_max;
}

std::span<std::byte> frame_decoder::prepare(std::size_t bytes_min) {
  // Move what is left of a partial frame to the front. begin_ is always at a frame
  // boundary and frames are whole words, so word alignment is kept.
  if (begin_ > 0) {
    auto* base = reinterpret_cast<std::byte*>(buffer_.data());
    std::memmove(base, base + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t needed_words = (end_ + bytes_min + word_bytes - 1) / word_bytes;
  if (buffer_.size() < needed_words) buffer_.resize(std::max(needed_words, buffer_.size() * 2));
  auto* base = reinterpret_cast<std::byte*>(buffer_.data());
  return {base + end_, buffer_.size() * word_bytes - end_};
}

void frame_decoder::commit(std::size_t bytes) noexcept { end_ += bytes; }

result<std::span<const capnp::word>> frame_decoder::next() {
  const std::size_t available = end_ - begin_;
  if (available < word_bytes) return std::span<const capnp::word>{};
  const auto* base = reinterpret_cast<const std::byte*>(buffer_.data()) + begin_;
  const std::size_t segments = std::size_t{load_u32(base)} + 1;
  if (segments > frame_segments_max) return errc::malformed_message;
  const std::size_t table = table_bytes(segments);
  if (available < table) return std::span<const capnp::word>{};
  std::size_t total = table;
  for (std::size_t i = 0; i < segments; ++i) {
    const std::uint32_t words = load_u32(base + 4 * (i + 1));
    if (words == 0) return errc::malformed_message;
    total += std::size_t{words} * word_bytes;
    if (total > frame_bytes_max_) return errc::message_too_large;
  }
  if (available < total) return std::span<const capnp::word>{};
  const capnp::word* first = buffer_.data() + begin_ / word_bytes;
  begin_ += total;
  return std::span<const capnp::word>{first, total / word_bytes};
}

result<received_frame> frame_decoder::read(std::span<const capnp::word> frame) const {
  received_frame r;
  if (const auto m = fixed_layout(frame)) {
    // The layout this transport writes: the header read in place, the payload checked and
    // copied as it is, with no Cap'n Proto reader on the way.
    r.header = m->header;
    r.message = envelope_from_wire(m->header, m->payload);
    if (r.message || r.message.error() != errc::malformed_message || m->payload.empty()) {
      return r;
    }
    // A payload beyond the quick check: Cap'n Proto's own reader decides, below, as it does
    // for frames in any other layout.
  }
  try {
    // Built inside the try: the reader throws on a segment table it does not take, though
    // next() leaves it none.
    auto reader = std::make_unique<capnp::FlatArrayMessageReader>(
        kj::arrayPtr(frame.data(), frame.size()), options_);
    const auto f = reader->getRoot<wire::Frame>();
    r.kind = f.which();
    if (r.kind != wire::Frame::MESSAGE) {
      r.reader = std::move(reader);
      return r;
    }
    const auto m = f.getMessage();
    r.header = message_header(m);
    r.message = envelope_from_wire(r.header, m.getPayload());
    return r;
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
}

}  // namespace coact::net::tcp
