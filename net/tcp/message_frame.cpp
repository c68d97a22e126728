#include "coact/net/tcp/message_frame.hpp"

#include <capnp/any.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "coact/net/tcp/wire.capnp.h"

namespace coact::net::tcp {
namespace {

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

}  // namespace

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

std::optional<message_frame> read_message_frame(std::span<const capnp::word> frame) noexcept {
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

  message_frame m;
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
  m.frame = frame;
  return m;
}

result<envelope> envelope_of(const message_frame& m, const capnp::ReaderOptions& limits,
                             std::size_t bytes_max) {
  auto quick = envelope_from_wire(m.header, m.payload, bytes_max);
  if (quick || quick.error() != errc::malformed_message || m.payload.empty()) return quick;
  // Beyond the quick check: Cap'n Proto's own reader decides, over the whole frame, as it
  // does for frames in any other layout.
  try {
    capnp::FlatArrayMessageReader reader{kj::arrayPtr(m.frame.data(), m.frame.size()), limits};
    return envelope_from_wire(m.header, reader.getRoot<wire::Frame>().getMessage().getPayload(),
                              bytes_max);
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
}

}  // namespace coact::net::tcp
