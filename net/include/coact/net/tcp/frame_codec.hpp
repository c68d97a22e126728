#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/wire.hpp"

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

/// Appends `frame` (a wire::Frame other than a message: Hello, Auth, Heartbeat, Goodbye)
/// to `out` in Cap'n Proto's standard stream framing: the segment table, then the
/// segments. Many frames appended to one buffer leave in one write.
void append_frame(capnp::MessageBuilder& frame, frame_words& out);

/// Appends one actor message as a wire::Frame (its `message` member) in the same framing,
/// written word by word in one fixed layout instead of through a MessageBuilder: a
/// builder's arena costs more than the whole frame on the hot path. Any Cap'n Proto reader
/// reads the result as an ordinary Frame. The header takes 7 data words (8 with a
/// correlation); the payload's root pointer, as sealed, is the Frame's payload pointer, and
/// its other words follow as they followed their root, so that the receiver can read the
/// payload, from that pointer on, as a message of its own. `payload` is what
/// coact::payload_words gives: empty for none.
void append_message_frame(const wire_header& header, std::span<const capnp::word> payload,
                          frame_words& out);

/// The bytes append_message_frame writes for a message with `payload`.
[[nodiscard]] std::size_t message_frame_bytes(std::span<const capnp::word> payload) noexcept;

/// A frame as frame_decoder::read gives it.
struct received_frame {
  /// Which member of wire::Frame it holds; possibly one this build does not know.
  wire::Frame::Which kind = wire::Frame::MESSAGE;
  /// A message's routing header. Not checked against the nodes: that is the transport's.
  wire_header header;
  /// A message as a new envelope, or why its header or payload were refused
  /// (errc::malformed_message).
  result<envelope> message = errc::malformed_message;
  /// Any other frame, read in place (valid as long as the frame's words): null for a
  /// message.
  std::unique_ptr<capnp::FlatArrayMessageReader> reader;

  /// The frame of a kind other than a message. Its fields are read with bounds checks:
  /// a read may throw kj::Exception, which means the frame is malformed.
  [[nodiscard]] wire::Frame::Reader root() const { return reader->getRoot<wire::Frame>(); }
};

/// Cuts a byte stream into frames, hands each one out in place, without copying it (bytes
/// are received straight into the decoder's word-aligned buffer), and reads them. The one
/// size limit of what a peer may send is set here: a frame's length, which also bounds
/// every read of it (a payload is inside its frame). Not thread-safe: one per connection.
class frame_decoder {
 public:
  explicit frame_decoder(std::size_t frame_bytes_max);

  /// Room for at least `bytes_min` more bytes, to receive into. Invalidates the frame
  /// returned by next().
  [[nodiscard]] std::span<std::byte> prepare(std::size_t bytes_min = 64 * 1024);
  /// `bytes` of the prepared room were filled.
  void commit(std::size_t bytes) noexcept;

  /// The words of the next complete frame (segment table included), valid until the next
  /// call to next() or prepare(); empty when no whole frame has arrived yet. Errors, after
  /// which the stream cannot be resynchronised and the connection must close:
  /// errc::message_too_large (the frame announces more than frame_bytes_max),
  /// errc::malformed_message (a segment table with no segments, too many, or an empty
  /// segment).
  [[nodiscard]] result<std::span<const capnp::word>> next();

  /// Reads a frame next() gave: the one decode path of what a peer sends. A message in the
  /// layout append_message_frame writes is read in place and its payload, once checked,
  /// copied as it is (envelope_from_wire over its words); any other frame, and a payload
  /// beyond that check, goes through Cap'n Proto's bounds-checking reader with the limits
  /// of reader_options(). Errors: errc::malformed_message (a frame that reader refuses).
  [[nodiscard]] result<received_frame> read(std::span<const capnp::word> frame) const;

  /// The limits every frame is read with: a traversal limit of one whole frame plus its
  /// root pointer, so that a frame whose pointers overlap cannot make the reader walk more
  /// than it could hold, and a nesting limit of 64.
  [[nodiscard]] const capnp::ReaderOptions& reader_options() const noexcept { return options_; }

  /// Bytes received but not yet handed out as frames.
  [[nodiscard]] std::size_t buffered_bytes() const noexcept { return end_ - begin_; }

 private:
  std::size_t frame_bytes_max_;
  capnp::ReaderOptions options_;
  frame_words buffer_;
  std::size_t begin_ = 0;  // bytes: the next frame starts here
  std::size_t end_ = 0;    // bytes: received up to here
};

}  // namespace coact::net::tcp
