#include "coact/net/tcp/message_frame.hpp"

#include <capnp/any.h>
#include <kj/exception.h>

#include <bit>
#include <cstdint>
#include <cstring>

namespace coact::net::tcp {
namespace {

static_assert(std::endian::native == std::endian::little, "Cap'n Proto's wire is little-endian");

// The layout, in words of the one segment (after the one-word segment table). The field
// offsets are those of wire.capnp's generated code; tests/net/tcp/message_frame_test.cpp
// reads frames written here with Cap'n Proto's reader to keep them honest.
//   0      root pointer -> Frame at 1 (1 data word, 1 pointer)
//   1      Frame data: the union's discriminant (Frame::MESSAGE) in its first 16 bits
//   2      Frame pointer -> Message at 3 (3 data words, 3 pointers)
//   3..5   Message data: kind @0 (byte 0), control @1 (byte 1), errorDomain @6 (byte 2),
//          errorValue @7 (bytes 4-7), correlation @4 (bytes 8-15), typeId @5 (16-23)
//   6..8   Message pointers: target -> 9, sender -> 11, payload -> the payload's root
//   9..10  target Ref (node, shard, id, generation: 32 bits each)
//   11..12 sender Ref
//   13     the payload's own root pointer, as sealed
//   14..   the payload's words after its root pointer
constexpr std::size_t header_words = 14;
constexpr std::size_t payload_root_at = 13;
constexpr std::uint16_t message_discriminant = 2;  // hello 0, auth 1, message 2

constexpr std::uint64_t struct_pointer(std::int32_t offset, std::uint16_t data_words,
                                       std::uint16_t pointers) noexcept {
  return std::uint64_t{static_cast<std::uint32_t>(offset) << 2} |
         (std::uint64_t{data_words} << 32) | (std::uint64_t{pointers} << 48);
}

constexpr std::uint64_t frame_root = struct_pointer(0, 1, 1);
constexpr std::uint64_t frame_to_message = struct_pointer(0, 3, 3);
constexpr std::uint64_t message_to_target = struct_pointer(9 - 7, 2, 0);
constexpr std::uint64_t message_to_sender = struct_pointer(11 - 8, 2, 0);

/// From the payload slot (word 8) to where the payload's root pointer (at word 13)
/// points: the same struct, a further 13 + 1 - 9 words on.
constexpr std::int64_t slot_shift = payload_root_at + 1 - 9;

std::uint64_t load(const capnp::word* w) noexcept {
  std::uint64_t v;
  std::memcpy(&v, w, sizeof v);
  return v;
}

void store(capnp::word* w, std::uint64_t v) noexcept {
  std::memcpy(static_cast<void*>(w), &v, sizeof v);
}

/// What slot_pointer gives for a root it cannot point the slot at. No struct pointer has
/// both kind bits set, so it is never a slot_pointer of anything else.
constexpr std::uint64_t no_slot = ~std::uint64_t{0};

/// The payload slot's pointer to the struct that `root` (a root pointer at word 13)
/// points at; no_slot if `root` is not a struct pointer or the offset does not fit. (A
/// plain word rather than a std::optional: returned through the stack, the optional's
/// flag and value stalled every call on a failed store-to-load forwarding.)
std::uint64_t slot_pointer(std::uint64_t root) noexcept {
  if (root == 0) return 0;
  if ((root & 3) != 0) return no_slot;
  const auto offset = static_cast<std::int32_t>(static_cast<std::uint32_t>(root) & ~3u) >> 2;
  const std::int64_t shifted = offset + slot_shift;
  if (shifted >= (std::int64_t{1} << 29)) return no_slot;
  return struct_pointer(static_cast<std::int32_t>(shifted), static_cast<std::uint16_t>(root >> 32),
                        static_cast<std::uint16_t>(root >> 48));
}

void store_ref(capnp::word* w, const actor_ref& r) noexcept {
  const std::uint32_t fields[4] = {r.node, r.shard, r.id, r.generation};
  std::memcpy(static_cast<void*>(w), fields, sizeof fields);
}

actor_ref load_ref(const capnp::word* w) noexcept {
  std::uint32_t fields[4];
  std::memcpy(fields, w, sizeof fields);
  return {fields[0], fields[1], fields[2], fields[3]};
}

}  // namespace

void append_message_frame(const wire_header& header, std::span<const capnp::word> payload,
                          frame_words& out) {
  const std::size_t payload_after_root = payload.empty() ? 0 : payload.size() - 1;
  const std::size_t segment_words = header_words + payload_after_root;
  const std::size_t start = out.size();
  out.resize(start + 1 + segment_words);  // uninitialised: every word is written below
  capnp::word* table = out.data() + start;
  store(table, std::uint64_t{segment_words} << 32);  // one segment (count - 1 = 0), its size
  capnp::word* s = table + 1;
  const std::uint64_t root = payload.empty() ? 0 : load(payload.data());
  const auto slot = slot_pointer(root);
  // A sealed payload's root is a struct pointer into its own words: it always fits.
  store(s + 0, frame_root);
  store(s + 1, message_discriminant);
  store(s + 2, frame_to_message);
  // Byte 3, which no field uses, stays zero as Cap'n Proto requires of unused bits.
  store(s + 3, std::uint64_t{static_cast<std::uint8_t>(header.kind)} |
                   std::uint64_t{static_cast<std::uint8_t>(header.control)} << 8 |
                   std::uint64_t{static_cast<std::uint8_t>(header.error)} << 16 |
                   std::uint64_t{static_cast<std::uint32_t>(header.error_value)} << 32);
  store(s + 4, header.correlation);
  store(s + 5, header.type_id);
  store(s + 6, message_to_target);
  store(s + 7, message_to_sender);
  store(s + 8, slot == no_slot ? 0 : slot);
  store_ref(s + 9, header.target);
  store_ref(s + 11, header.sender);
  store(s + payload_root_at, root);
  if (payload_after_root > 0) {
    std::memcpy(static_cast<void*>(s + header_words), payload.data() + 1,
                payload_after_root * sizeof(capnp::word));
  }
}

std::optional<message_frame> read_message_frame(std::span<const capnp::word> frame) noexcept {
  if (frame.size() < 1 + header_words) return std::nullopt;
  const std::uint64_t table = load(frame.data());
  if (static_cast<std::uint32_t>(table) != 0 || (table >> 32) != frame.size() - 1) {
    return std::nullopt;
  }
  const capnp::word* s = frame.data() + 1;
  if (load(s + 0) != frame_root || (load(s + 1) & 0xffff) != message_discriminant ||
      load(s + 2) != frame_to_message || load(s + 6) != message_to_target ||
      load(s + 7) != message_to_sender) {
    return std::nullopt;
  }
  const std::uint64_t root = load(s + payload_root_at);
  const auto slot = slot_pointer(root);
  if (slot == no_slot || load(s + 8) != slot) return std::nullopt;

  message_frame m;
  const auto* data = reinterpret_cast<const std::byte*>(s + 3);
  m.header.kind = static_cast<message_kind>(data[0]);
  m.header.control = static_cast<system_control>(data[1]);
  m.header.error = static_cast<error_domain>(data[2]);
  std::memcpy(&m.header.error_value, data + 4, sizeof m.header.error_value);
  std::memcpy(&m.header.correlation, data + 8, sizeof m.header.correlation);
  std::memcpy(&m.header.type_id, data + 16, sizeof m.header.type_id);
  m.header.target = load_ref(s + 9);
  m.header.sender = load_ref(s + 11);
  if (root != 0) m.payload = frame.subspan(1 + payload_root_at);
  return m;
}

result<envelope> envelope_of(const message_frame& m, const capnp::ReaderOptions& limits,
                             std::size_t bytes_max) {
  auto quick = envelope_from_wire(m.header, m.payload, bytes_max);
  if (quick || quick.error() != errc::malformed_message || m.payload.empty()) return quick;
  // Beyond the quick check (far pointers, say, or more empty elements than words): Cap'n
  // Proto's own reader decides, as it does for frames in any other layout.
  try {
    const kj::ArrayPtr<const capnp::word> segments[1] = {
        kj::arrayPtr(m.payload.data(), m.payload.size())};
    capnp::SegmentArrayMessageReader reader{kj::arrayPtr(segments, 1), limits};
    return envelope_from_wire(m.header, reader.getRoot<capnp::AnyPointer>(), bytes_max);
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
}

}  // namespace coact::net::tcp
