#pragma once

#include <capnp/message.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "coact/runtime/result.hpp"

namespace coact::net::tcp {

/// Segments a frame may have: Cap'n Proto messages built here have one or a few; a peer
/// announcing more is not speaking this protocol.
inline constexpr std::uint32_t frame_segments_max = 64;

/// The allocator of frame_words: std::allocator's memory, words left uninitialised by
/// resize (whoever grows a buffer writes every word it adds: zeroing them first cost more
/// than encoding a small message) and moved bit by bit. Clang's Cap'n Proto headers make
/// capnp::word non-copyable (GCC's do not), and a std::vector with std::allocator can only
/// grow by copying or moving.
template <class T>
struct word_allocator {
  using value_type = T;

  /// Stateless: every word_allocator frees what any other allocated.
  word_allocator() = default;
  /// The same allocator for another element type (std::allocator_traits rebinds with it).
  template <class U>
  explicit word_allocator(const word_allocator<U>&) noexcept {}

  /// Room for `n` elements, uninitialised; throws std::bad_alloc.
  [[nodiscard]] T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  /// Frees what allocate(n) returned.
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
  /// An uninitialised element at `p`, as std::vector's resize and sized constructor make.
  void construct(T* p) noexcept { ::new (static_cast<void*>(p)) T; }
  /// Moves `from` to `p` bit by bit, as std::vector does when it grows.
  void construct(T* p, T&& from) noexcept { std::memcpy(static_cast<void*>(p), &from, sizeof(T)); }

  /// Always equal: stateless.
  friend bool operator==(const word_allocator&, const word_allocator&) noexcept { return true; }
};

/// A growable, word-aligned buffer of Cap'n Proto words (frames to write, bytes received),
/// with every compiler coact builds with. resize() leaves the words it adds uninitialised.
using frame_words = std::vector<capnp::word, word_allocator<capnp::word>>;

/// Appends `message` to `out` in Cap'n Proto's standard stream framing: the segment
/// table, then the segments. Many frames appended to one buffer leave in one write.
void append_frame(capnp::MessageBuilder& message, frame_words& out);

/// Cuts a byte stream into frames and hands each one out in place, without copying it:
/// bytes are received straight into the decoder's word-aligned buffer.
/// Not thread-safe: one per connection.
class frame_decoder {
 public:
  explicit frame_decoder(std::size_t frame_bytes_max);

  /// Room for at least `bytes_min` more bytes, to receive into. Invalidates the frame
  /// returned by next().
  [[nodiscard]] std::span<std::byte> prepare(std::size_t bytes_min = 64 * 1024);
  /// `bytes` of the prepared room were filled.
  void commit(std::size_t bytes) noexcept;

  /// The words of the next complete frame (segment table included, as
  /// capnp::FlatArrayMessageReader takes them), valid until the next call to next() or
  /// prepare(); empty when no whole frame has arrived yet. Errors, after which the
  /// stream cannot be resynchronised and the connection must close:
  /// errc::message_too_large (the frame announces more than frame_bytes_max),
  /// errc::malformed_message (a segment table with no segments, too many, or an empty
  /// segment).
  [[nodiscard]] result<std::span<const capnp::word>> next();

  /// Bytes received but not yet handed out as frames.
  [[nodiscard]] std::size_t buffered_bytes() const noexcept { return end_ - begin_; }

 private:
  std::size_t frame_bytes_max_;
  frame_words buffer_;
  std::size_t begin_ = 0;  // bytes: the next frame starts here
  std::size_t end_ = 0;    // bytes: received up to here
};

}  // namespace coact::net::tcp
