// libFuzzer target for what a TCP peer can send: the input is cut into reads of varying
// sizes, fed to a frame_decoder, and every frame it yields is read as the transport reads
// it (frame_decoder::read, then the Frame union and the handshake's checks of Hello and
// Auth). Anything but a clean error is a finding: a crash, an uncaught exception, a leak,
// undefined behaviour. So is a message the decoder takes but Cap'n Proto's bounds-checking
// reader refuses, or reads otherwise than the envelope does (the decoder takes most
// payloads by a quick check of their words, without that reader).
//
// Input: byte 0 picks how the rest is split into reads (see read_sizes); the rest is the
// byte stream of one connection. The seeds in corpus/ follow that layout.
#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "coact/net/tcp/cluster_secret.hpp"
#include "coact/net/tcp/frame_codec.hpp"
#include "coact/net/tcp/handshake.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/wire.hpp"

namespace {

namespace tcp = coact::net::tcp;
namespace wire = coact::net::wire;
using tcp::received_frame;

/// The frame size limit the fuzzed connection runs with, as a transport could.
constexpr std::size_t frame_bytes_max = 1024 * 1024;

/// The sizes of the reads the stream arrives in, from the pattern byte `p`: 0 delivers
/// the stream in one read; otherwise each read is 1 to 2^(p % 13) bytes long, the lengths
/// drawn from a linear congruential sequence seeded with `p`, so that one byte of input
/// chooses between byte-by-byte arrival, reads that split segment tables, and large reads
/// that carry several frames.
class read_sizes {
 public:
  explicit read_sizes(std::uint8_t p) noexcept
      : whole_(p == 0), size_max_(std::size_t{1} << (p % 13)), state_(p) {}

  /// The length of the next read, with `left` bytes still to come (at least 1).
  [[nodiscard]] std::size_t next(std::size_t left) noexcept {
    if (whole_) return left;
    state_ = state_ * 1103515245u + 12345u;
    return std::min(left, 1 + (state_ >> 8) % size_max_);
  }

 private:
  bool whole_;
  std::size_t size_max_;
  std::uint32_t state_;
};

/// Reads `text` to its end, as a log line or a name comparison does.
std::size_t text_size(capnp::Text::Reader text) noexcept {
  return std::string_view{text.cStr()}.size();
}

/// A received payload that envelope_from_wire accepted, read back from the envelope's own
/// copy as a receiving actor would: the root struct's sections and everything it points to.
std::size_t walk_payload(const coact::envelope& e) {
  const auto root = e.root();
  if (root.isNull()) return 0;
  const auto s = root.getAs<capnp::AnyStruct>();
  std::size_t words = root.targetSize().wordCount;
  words += s.getDataSection().size();
  for (const auto p : s.getPointerSection()) words += p.targetSize().wordCount;
  return words;
}

/// The canonical words of a payload's root (none for a null root).
kj::Array<capnp::word> canonical(capnp::AnyPointer::Reader root) {
  if (root.isNull()) return nullptr;
  return root.getAs<capnp::AnyStruct>().canonicalize();
}

/// The decoder against Cap'n Proto's reader: a message the decoder took (most by a quick
/// check of its payload's words) must be one the bounds-checking reader takes too, over the
/// whole frame, and reads the same.
void check_message(std::span<const capnp::word> frame, const coact::envelope& taken,
                   const capnp::ReaderOptions& options) {
  kj::Array<capnp::word> checked;
  try {
    capnp::FlatArrayMessageReader reader{kj::arrayPtr(frame.data(), frame.size()), options};
    checked = canonical(reader.getRoot<wire::Frame>().getMessage().getPayload());
  } catch (const kj::Exception&) {
    __builtin_trap();  // taken by the decoder, refused by the checked reader
  }
  const auto mine = canonical(taken.root());
  // Two null roots have no words and null pointers, which memcmp may not be given.
  const bool same = mine.size() == checked.size() &&
                    (mine.size() == 0 || std::memcmp(mine.begin(), checked.begin(),
                                                     mine.size() * sizeof(capnp::word)) == 0);
  if (!same) {
    __builtin_trap();  // read otherwise than the checked reader reads it
  }
}

/// The handshake state of the fuzzed connection, as an accepting node holds it: a Hello
/// goes to handshake_responder::on_hello, an Auth to on_auth (which refuses it unless a
/// Hello was answered first).
struct connection {
  static constexpr std::string_view secret_text = "coact-fuzz-cluster-secret";
  tcp::cluster_secret secret = tcp::cluster_secret::from_bytes(
      std::as_bytes(std::span{secret_text.data(), secret_text.size()}));
  tcp::handshake_responder responder{{"fuzz", "fuzz-responder", 1}, secret};
};

/// One frame, read through every branch the transport and the handshake have for it.
/// Throws kj::Exception when the frame is malformed, as the transport expects.
std::size_t read_frame(connection& c, wire::Frame::Reader f) {
  switch (f.which()) {
    case wire::Frame::HELLO: {
      const auto h = f.getHello();
      std::size_t n = text_size(h.getCluster()) + text_size(h.getNode()) + h.getNodeId() +
                      h.getProtocolVersion() + h.getNonce().size() + h.getMac().size();
      capnp::MallocMessageBuilder reply{64};
      (void)c.responder.on_hello(h, reply.initRoot<wire::Frame>().initHello());
      return n;
    }
    case wire::Frame::AUTH: {
      const auto a = f.getAuth();
      const std::size_t n = a.getMac().size();
      (void)c.responder.on_auth(a);
      return n;
    }
    case wire::Frame::MESSAGE:  // read by the decoder already
      return 0;
    case wire::Frame::HEARTBEAT:
      return static_cast<std::size_t>(f.getHeartbeat().getSequence());
    case wire::Frame::GOODBYE:
      return text_size(f.getGoodbye().getReason());
  }
  return 0;  // a union member this build does not know: the transport refuses it
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  read_sizes sizes{data[0]};
  std::span<const std::uint8_t> stream{data + 1, size - 1};
  tcp::frame_decoder decoder{frame_bytes_max};
  connection c;
  volatile std::size_t sink = 0;  // keeps the reads from being optimised away
  while (!stream.empty()) {
    const std::size_t n = sizes.next(stream.size());
    const auto room = decoder.prepare(n);
    std::memcpy(room.data(), stream.data(), n);
    decoder.commit(n);
    stream = stream.subspan(n);
    for (;;) {
      auto frame = decoder.next();
      if (!frame) return 0;  // the transport closes the connection
      if (frame.value().empty()) break;
      auto read = decoder.read(frame.value());
      if (!read) return 0;  // malformed: the transport closes the connection
      received_frame& f = read.value();
      if (f.kind == wire::Frame::MESSAGE) {
        if (!f.message) continue;  // the transport closes the connection
        check_message(frame.value(), f.message.value(), decoder.reader_options());
        sink = sink + walk_payload(f.message.value());
        continue;
      }
      try {
        sink = sink + read_frame(c, f.root());
      } catch (const kj::Exception&) {
        return 0;  // malformed: the transport closes the connection
      }
    }
  }
  return 0;
}
