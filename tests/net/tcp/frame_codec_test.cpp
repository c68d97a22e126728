// The frame decoder cuts any split of a byte stream into the same frames, refuses oversized
// and malformed segment tables as soon as they arrive, the frame reader (the transport's
// and the fuzzer's) reads the seed corpus of net/fuzz as the frames it holds, and what the
// fuzzer found stays fixed.
#include "coact/net/tcp/frame_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "coact/net/tcp/frame_parser.hpp"
#include "coact/net/tcp/message_frame.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/wire.hpp"

using coact::errc;
namespace tcp = coact::net::tcp;
namespace wire = coact::net::wire;

namespace {

using bytes = std::vector<std::byte>;

constexpr std::size_t frame_bytes_max = 1024 * 1024;

/// The bytes of `words`, as they travel.
bytes bytes_of(std::span<const capnp::word> words) {
  const auto b = std::as_bytes(words);
  return {b.begin(), b.end()};
}

/// A heartbeat frame with `sequence`, framed.
bytes heartbeat_frame(std::uint64_t sequence) {
  capnp::MallocMessageBuilder m{16};
  m.initRoot<wire::Frame>().initHeartbeat().setSequence(sequence);
  tcp::frame_words out;
  tcp::append_frame(m, out);
  return bytes_of(out);
}

/// A goodbye frame spread over several segments (a first segment of one word, allocated
/// in fixed sizes), so that its segment table has more than one entry.
bytes goodbye_frame_in_segments(const char* reason) {
  capnp::MallocMessageBuilder m{1, capnp::AllocationStrategy::FIXED_SIZE};
  m.initRoot<wire::Frame>().initGoodbye().setReason(reason);
  REQUIRE(m.getSegmentsForOutput().size() > 1);
  tcp::frame_words out;
  tcp::append_frame(m, out);
  return bytes_of(out);
}

/// A raw segment table: `count - 1` in the first 32 bits, then `sizes` (in words), padded
/// to a whole word; no segments follow.
bytes segment_table(std::uint32_t count, const std::vector<std::uint32_t>& sizes) {
  std::vector<std::uint32_t> table{count - 1};
  table.insert(table.end(), sizes.begin(), sizes.end());
  if (table.size() % 2 != 0) table.push_back(0);
  const auto b = std::as_bytes(std::span{table});
  return {b.begin(), b.end()};
}

/// Copies `data` into the decoder as one read.
void feed(tcp::frame_decoder& d, std::span<const std::byte> data) {
  if (data.empty()) return;
  const auto room = d.prepare(data.size());
  REQUIRE(room.size() >= data.size());
  std::memcpy(room.data(), data.data(), data.size());
  d.commit(data.size());
}

/// Every whole frame the decoder holds now, as bytes; none may be an error.
std::vector<bytes> drain(tcp::frame_decoder& d) {
  std::vector<bytes> frames;
  for (;;) {
    auto f = d.next();
    REQUIRE(f.has_value());
    if (f.value().empty()) return frames;
    frames.push_back(bytes_of(f.value()));
  }
}

/// `a` then `b`.
bytes concat(const bytes& a, const bytes& b) {
  bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

TEST_CASE("frame_decoder: a stream split in two at every byte gives the same frames",
          "[net][tcp]") {
  const bytes first = heartbeat_frame(1);
  const bytes second = goodbye_frame_in_segments("split");
  const bytes stream = concat(first, second);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at byte " << cut);
    tcp::frame_decoder d{frame_bytes_max};
    std::vector<bytes> frames;
    feed(d, std::span{stream}.first(cut));
    for (auto& f : drain(d)) frames.push_back(std::move(f));
    feed(d, std::span{stream}.subspan(cut));
    for (auto& f : drain(d)) frames.push_back(std::move(f));
    REQUIRE(frames == std::vector<bytes>{first, second});
    REQUIRE(d.buffered_bytes() == 0);
  }
}

TEST_CASE("frame_decoder: one byte per read gives each frame once its last byte arrives",
          "[net][tcp]") {
  const bytes first = goodbye_frame_in_segments("byte by byte");
  const bytes second = heartbeat_frame(2);
  const bytes stream = concat(first, second);
  tcp::frame_decoder d{frame_bytes_max};
  std::vector<bytes> frames;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    feed(d, std::span{stream}.subspan(i, 1));
    for (auto& f : drain(d)) frames.push_back(std::move(f));
    if (i + 1 < first.size()) REQUIRE(frames.empty());
  }
  REQUIRE(frames == std::vector<bytes>{first, second});
}

TEST_CASE("frame_decoder: several frames in one read come out in order", "[net][tcp]") {
  bytes stream;
  std::vector<bytes> expected;
  for (std::uint64_t s = 0; s < 10; ++s) {
    expected.push_back(heartbeat_frame(s));
    stream = concat(stream, expected.back());
  }
  const bytes partial = heartbeat_frame(99);
  stream.insert(stream.end(), partial.begin(), partial.end() - 1);
  tcp::frame_decoder d{frame_bytes_max};
  feed(d, stream);
  REQUIRE(drain(d) == expected);
  REQUIRE(d.buffered_bytes() == partial.size() - 1);
}

TEST_CASE("frame_decoder: a frame over the limit is refused once its table arrives", "[net][tcp]") {
  tcp::frame_decoder d{1024};
  SECTION("one segment") {
    feed(d, segment_table(1, {1024 / 8}));  // table word + 1024 bytes: 8 over
  }
  SECTION("the sum of several segments") { feed(d, segment_table(3, {40, 40, 48})); }
  auto f = d.next();
  REQUIRE_FALSE(f.has_value());
  REQUIRE(f.error() == errc::message_too_large);
}

TEST_CASE("frame_decoder: a frame of exactly the limit is handed out", "[net][tcp]") {
  const bytes frame = heartbeat_frame(3);
  tcp::frame_decoder d{frame.size()};
  feed(d, frame);
  REQUIRE(drain(d) == std::vector<bytes>{frame});
}

TEST_CASE("frame_decoder: a segment of zero words is malformed", "[net][tcp]") {
  tcp::frame_decoder d{frame_bytes_max};
  SECTION("the only segment") { feed(d, segment_table(1, {0})); }
  SECTION("a later segment") { feed(d, segment_table(3, {2, 0, 1})); }
  auto f = d.next();
  REQUIRE_FALSE(f.has_value());
  REQUIRE(f.error() == errc::malformed_message);
}

TEST_CASE("frame_decoder: more segments than frame_segments_max is malformed at once",
          "[net][tcp]") {
  tcp::frame_decoder d{frame_bytes_max};
  SECTION("one too many, table not yet arrived") {
    feed(d, segment_table(tcp::frame_segments_max + 1, {1}));
  }
  SECTION("a count that wraps to zero segments") {
    feed(d, segment_table(0, {1}));  // 0xffffffff + 1 segments
  }
  auto f = d.next();
  REQUIRE_FALSE(f.has_value());
  REQUIRE(f.error() == errc::malformed_message);
}

TEST_CASE("frame_decoder: frame_segments_max segments are accepted and readable", "[net][tcp]") {
  const std::vector<std::uint32_t> sizes(tcp::frame_segments_max, 1);
  bytes frame = segment_table(tcp::frame_segments_max, sizes);
  frame.resize(frame.size() + tcp::frame_segments_max * sizeof(capnp::word));  // null roots
  tcp::frame_decoder d{frame_bytes_max};
  feed(d, std::span{frame}.first(frame.size() - 1));
  REQUIRE(drain(d).empty());
  feed(d, std::span{frame}.last(1));
  auto f = d.next();
  REQUIRE(f.has_value());
  REQUIRE(f.value().size() * sizeof(capnp::word) == frame.size());
  capnp::FlatArrayMessageReader reader{kj::arrayPtr(f.value().data(), f.value().size()),
                                       tcp::frame_reader_options(frame_bytes_max)};
  REQUIRE(reader.getRoot<wire::Frame>().which() == wire::Frame::HELLO);  // the null struct
}

TEST_CASE("frame_decoder: less than a word, or a partial table, is not yet a frame", "[net][tcp]") {
  tcp::frame_decoder d{frame_bytes_max};
  const bytes table = segment_table(3, {1, 1, 1});
  feed(d, std::span{table}.first(4));
  REQUIRE(drain(d).empty());
  feed(d, std::span{table}.subspan(4, 4));
  REQUIRE(drain(d).empty());
  REQUIRE(d.buffered_bytes() == 8);
}

TEST_CASE("frame_reader_options: a traversal limit of one full frame, nesting 64", "[net][tcp]") {
  const auto o = tcp::frame_reader_options(1024);
  REQUIRE(o.traversalLimitInWords == 1024 / 8 + 1);
  REQUIRE(o.nestingLimit == 64);
}

TEST_CASE("message_header: reads every field of a Message as it was written", "[net][tcp]") {
  capnp::MallocMessageBuilder m{64};
  auto b = m.initRoot<wire::Frame>().initMessage();
  b.setKind(static_cast<std::uint8_t>(coact::message_kind::ask));
  b.setControl(static_cast<std::uint8_t>(coact::system_control::monitor));
  auto t = b.initTarget();
  t.setNode(1);
  t.setShard(2);
  t.setId(3);
  t.setGeneration(4);
  auto s = b.initSender();
  s.setNode(5);
  s.setShard(6);
  s.setId(7);
  s.setGeneration(8);
  b.setCorrelation(9);
  b.setTypeId(10);
  b.setErrorDomain(static_cast<std::uint8_t>(coact::error_domain::generic));
  b.setErrorValue(-11);
  const coact::wire_header h = tcp::message_header(b.asReader());
  REQUIRE(h.kind == coact::message_kind::ask);
  REQUIRE(h.control == coact::system_control::monitor);
  REQUIRE(h.target == coact::actor_ref{1, 2, 3, 4});
  REQUIRE(h.sender == coact::actor_ref{5, 6, 7, 8});
  REQUIRE(h.correlation == 9);
  REQUIRE(h.type_id == 10);
  REQUIRE(h.error == coact::error_domain::generic);
  REQUIRE(h.error_value == -11);
}

TEST_CASE("the fuzzer's seed corpus holds well-formed frames the reader accepts", "[net][tcp]") {
  // Each seed is one pattern byte (how the fuzzer splits the rest into reads), then frames.
  std::size_t seeds = 0;
  std::size_t fixed_layout = 0;  // frames in the layout the transport writes
  for (const auto& entry : std::filesystem::directory_iterator{COACT_FRAME_FUZZ_CORPUS}) {
    INFO("seed " << entry.path().filename().string());
    std::ifstream in{entry.path(), std::ios::binary};
    const std::string content{std::istreambuf_iterator<char>{in}, {}};
    REQUIRE(content.size() > 1);
    tcp::frame_decoder d{frame_bytes_max};
    feed(d, std::as_bytes(std::span{content}).subspan(1));
    std::size_t frames = 0;
    for (;;) {
      auto f = d.next();
      REQUIRE(f.has_value());
      if (f.value().empty()) break;
      if (tcp::read_message_frame(f.value())) ++fixed_layout;
      capnp::FlatArrayMessageReader reader{kj::arrayPtr(f.value().data(), f.value().size()),
                                           tcp::frame_reader_options(frame_bytes_max)};
      const auto frame = reader.getRoot<wire::Frame>();
      if (frame.which() == wire::Frame::MESSAGE) {
        const auto m = frame.getMessage();
        auto e = coact::envelope_from_wire(tcp::message_header(m), m.getPayload(), frame_bytes_max);
        REQUIRE(e.has_value());
      }
      ++frames;
    }
    REQUIRE(frames > 0);
    REQUIRE(d.buffered_bytes() == 0);
    ++seeds;
  }
  REQUIRE(seeds >= 4);
  REQUIRE(fixed_layout >= 1);
}

TEST_CASE("regression: a payload whose copy fails half way left stale words in the pool",
          "[net][tcp]") {
  // Found by coact-frame-fuzzer: envelope_from_wire copied such a payload into a pooled
  // envelope's inline segment, the copy threw after writing the root pointer, and the
  // envelope went back to the pool with that word set; a later payload was then built over
  // it (a builder follows the pointers it overwrites: a wild memset), and a later null
  // payload read it as its root.
  const std::uint64_t failing[] = {
      0x0000'0002'0000'0000,  // segment table: one segment of two words
      0x0001'0000'0000'0000,  // root: a struct of no data and one pointer
      0xffff'fff8'0000'0001,  // a list of 2^29 - 1 voids: 0 words, over any read limit
  };
  capnp::FlatArrayMessageReader bad{
      kj::arrayPtr(reinterpret_cast<const capnp::word*>(failing), std::size(failing)),
      tcp::frame_reader_options(frame_bytes_max)};
  coact::wire_header h;
  auto e = coact::envelope_from_wire(h, bad.getRoot<capnp::AnyPointer>(), frame_bytes_max);
  REQUIRE_FALSE(e.has_value());
  REQUIRE(e.error() == errc::malformed_message);

  const std::uint64_t null_root[] = {0x0000'0001'0000'0000, 0};  // one word: a null root
  capnp::FlatArrayMessageReader empty{
      kj::arrayPtr(reinterpret_cast<const capnp::word*>(null_root), std::size(null_root)),
      tcp::frame_reader_options(frame_bytes_max)};
  auto next = coact::envelope_from_wire(h, empty.getRoot<capnp::AnyPointer>(), frame_bytes_max);
  REQUIRE(next.has_value());
  REQUIRE(next.value().root().isNull());
}
