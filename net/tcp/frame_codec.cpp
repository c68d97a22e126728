#include "coact/net/tcp/frame_codec.hpp"

#include <algorithm>
#include <cstring>

namespace coact::net::tcp {
namespace {

constexpr std::size_t word_bytes = sizeof(capnp::word);

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

frame_decoder::frame_decoder(std::size_t frame_bytes_max) : frame_bytes_max_(frame_bytes_max) {}

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

}  // namespace coact::net::tcp
