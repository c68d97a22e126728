// The frame codec: message frames written word by word are ordinary wire::Frame messages to
// Cap'n Proto's reader and read back whole by the decoder, whatever their layout; the
// decoder cuts any split of a byte stream into the same frames, refuses oversized and
// malformed segment tables as soon as they arrive, reads the seed corpus of net/fuzz as the
// frames it holds; and what the fuzzer found stays fixed.
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

#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/message.hpp"
#include "coact/runtime/wire.hpp"
#include "test_messages.capnp.h"

using coact::errc;
using coact::wire_header;
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

wire_header sample_header() {
  wire_header h;
  h.kind = coact::message_kind::ask;
  h.control = coact::system_control::none;
  h.target = {1, 2, 3, 4};
  h.sender = {5, 6, 7, 0xfffffff0u};
  h.correlation = 0x0123456789abcdefULL;
  h.type_id = 0xfedcba9876543210ULL;
  h.error = coact::error_domain::coact;
  h.error_value = -17;
  return h;
}

void require_same(const wire_header& a, const wire_header& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.control == b.control);
  CHECK(a.target == b.target);
  CHECK(a.sender == b.sender);
  CHECK(a.correlation == b.correlation);
  CHECK(a.type_id == b.type_id);
  CHECK(a.error == b.error);
  CHECK(a.error_value == b.error_value);
}

/// A payload of `bytes` bytes of data (inline when small, flattened on the heap when not).
coact::envelope blob(std::size_t bytes) {
  coact::message<coact::test::Blob> m;
  auto data = m->initData(bytes);
  for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return std::move(m).take();
}

void check_blob(coact::test::Blob::Reader b, std::size_t bytes) {
  REQUIRE(b.getData().size() == bytes);
  for (std::size_t i = 0; i < bytes; ++i) {
    CHECK(b.getData()[i] == static_cast<std::uint8_t>(i * 7 + 1));
  }
}

/// The header of a Message as Cap'n Proto's own reader sees it, field by field.
wire_header capnp_header(wire::Frame::Message::Reader m) {
  wire_header h;
  h.kind = static_cast<coact::message_kind>(m.getKind());
  h.control = static_cast<coact::system_control>(m.getControl());
  h.target = {m.getTarget().getNode(), m.getTarget().getShard(), m.getTarget().getId(),
              m.getTarget().getGeneration()};
  h.sender = {m.getSender().getNode(), m.getSender().getShard(), m.getSender().getId(),
              m.getSender().getGeneration()};
  h.correlation = m.getCorrelation();
  h.type_id = m.getTypeId();
  h.error = static_cast<coact::error_domain>(m.getErrorDomain());
  h.error_value = m.getErrorValue();
  return h;
}

tcp::frame_words frame_of(const wire_header& h, const coact::envelope& payload) {
  tcp::frame_words out;
  tcp::append_message_frame(
      h, payload ? coact::payload_words(payload) : std::span<const capnp::word>{}, out);
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
                                       tcp::frame_decoder{frame_bytes_max}.reader_options()};
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

TEST_CASE("frame_decoder: reads with a traversal limit of one full frame, nesting 64",
          "[net][tcp]") {
  const tcp::frame_decoder d{1024};
  REQUIRE(d.reader_options().traversalLimitInWords == 1024 / 8 + 1);
  REQUIRE(d.reader_options().nestingLimit == 64);
}

TEST_CASE("frame_decoder: reads every field of a Message a MessageBuilder wrote", "[net][tcp]") {
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
  tcp::frame_words words;
  tcp::append_frame(m, words);
  const auto f = tcp::frame_decoder{frame_bytes_max}.read(words);
  REQUIRE(f.has_value());
  const coact::wire_header& h = f.value().header;
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
      const auto frame = d.read(f.value());
      REQUIRE(frame.has_value());
      if (frame.value().kind == wire::Frame::MESSAGE) REQUIRE(frame.value().message.has_value());
      ++frames;
    }
    REQUIRE(frames > 0);
    REQUIRE(d.buffered_bytes() == 0);
    ++seeds;
  }
  REQUIRE(seeds >= 4);
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
      tcp::frame_decoder{frame_bytes_max}.reader_options()};
  coact::wire_header h;
  auto e = coact::envelope_from_wire(h, bad.getRoot<capnp::AnyPointer>());
  REQUIRE_FALSE(e.has_value());
  REQUIRE(e.error() == errc::malformed_message);

  const std::uint64_t null_root[] = {0x0000'0001'0000'0000, 0};  // one word: a null root
  capnp::FlatArrayMessageReader empty{
      kj::arrayPtr(reinterpret_cast<const capnp::word*>(null_root), std::size(null_root)),
      tcp::frame_decoder{frame_bytes_max}.reader_options()};
  auto next = coact::envelope_from_wire(h, empty.getRoot<capnp::AnyPointer>());
  REQUIRE(next.has_value());
  REQUIRE(next.value().root().isNull());
}

// Proves the fixed layout matches wire.capnp: Cap'n Proto's own reader sees the header
// fields and the payload, small or large.
TEST_CASE("a message frame reads as a wire::Frame with Cap'n Proto's reader", "[net][frame]") {
  for (const std::size_t bytes :
       {std::size_t{0}, std::size_t{8}, std::size_t{64}, std::size_t{5000}}) {
    INFO("payload of " << bytes << " bytes");
    const auto payload = blob(bytes);
    const auto words = frame_of(sample_header(), payload);
    capnp::FlatArrayMessageReader reader{kj::arrayPtr(words.data(), words.size())};
    REQUIRE(reader.getEnd() == words.data() + words.size());
    const auto f = reader.getRoot<wire::Frame>();
    REQUIRE(f.which() == wire::Frame::MESSAGE);
    require_same(capnp_header(f.getMessage()), sample_header());
    check_blob(f.getMessage().getPayload().getAs<coact::test::Blob>(), bytes);
  }
}

// Proves the decoder takes back the header and the payload sent, and a frame without
// payload as one without.
TEST_CASE("frame_decoder reads back what append_message_frame wrote", "[net][frame]") {
  const tcp::frame_decoder d{frame_bytes_max};
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{64}, std::size_t{5000}}) {
    INFO("payload of " << bytes << " bytes");
    const auto payload = blob(bytes);
    const auto words = frame_of(sample_header(), payload);
    auto m = d.read(words);
    REQUIRE(m.has_value());
    REQUIRE(m.value().kind == wire::Frame::MESSAGE);
    require_same(m.value().header, sample_header());
    REQUIRE(m.value().message.has_value());
    check_blob(m.value().message.value().get<coact::test::Blob>(), bytes);
  }
  const auto bare = frame_of(sample_header(), coact::envelope{});
  auto m = d.read(bare);
  REQUIRE(m.has_value());
  require_same(m.value().header, sample_header());
  REQUIRE(m.value().message.has_value());
  CHECK(m.value().message.value().root().isNull());
}

// Proves a tell (no correlation) leaves the Frame's last data word off, and is still read
// back whole by both readers; a 64-byte payload then takes 152 bytes on the wire.
TEST_CASE("a frame without correlation is a word shorter", "[net][frame]") {
  auto h = sample_header();
  h.kind = coact::message_kind::tell;
  h.correlation = 0;
  const auto payload = blob(64);
  const auto with = frame_of(sample_header(), payload);
  const auto without = frame_of(h, payload);
  CHECK(without.size() + 1 == with.size());
  CHECK(without.size() * sizeof(capnp::word) == 8 + 8 + 7 * 8 + 8 + 8 + 64);
  CHECK(tcp::message_frame_bytes(coact::payload_words(payload)) ==
        with.size() * sizeof(capnp::word));
  const auto m = tcp::frame_decoder{frame_bytes_max}.read(without);
  REQUIRE(m.has_value());
  require_same(m.value().header, h);
  capnp::FlatArrayMessageReader reader{kj::arrayPtr(without.data(), without.size())};
  const auto f = reader.getRoot<wire::Frame>();
  REQUIRE(f.which() == wire::Frame::MESSAGE);
  require_same(capnp_header(f.getMessage()), h);
  check_blob(f.getMessage().getPayload().getAs<coact::test::Blob>(), 64);
}

// Proves frames of every other layout are read too: a message a MessageBuilder made, one in
// several segments, another kind of frame; and that a truncated frame is refused.
TEST_CASE("frame_decoder reads frames of any other layout", "[net][frame]") {
  const tcp::frame_decoder d{frame_bytes_max};
  capnp::MallocMessageBuilder built{64};
  auto bm = built.initRoot<wire::Frame>().initMessage();
  bm.setKind(static_cast<std::uint8_t>(coact::message_kind::ask));
  bm.initTarget().setNode(1);
  bm.initSender().setNode(2);
  bm.setCorrelation(7);
  bm.getPayload().initAs<coact::test::Ping>().setN(3);
  tcp::frame_words bw;
  tcp::append_frame(built, bw);
  auto m = d.read(bw);
  REQUIRE(m.has_value());
  CHECK(m.value().header.kind == coact::message_kind::ask);
  CHECK(m.value().header.target.node == 1);
  CHECK(m.value().header.sender.node == 2);
  CHECK(m.value().header.correlation == 7);
  REQUIRE(m.value().message.has_value());
  CHECK(m.value().message.value().get<coact::test::Ping>().getN() == 3);

  capnp::MallocMessageBuilder split{16, capnp::AllocationStrategy::FIXED_SIZE};
  split.initRoot<wire::Frame>().initMessage().getPayload().initAs<coact::test::Blob>().initData(
      200);
  tcp::frame_words sw;
  tcp::append_frame(split, sw);
  REQUIRE(split.getSegmentsForOutput().size() > 1);
  auto s = d.read(sw);
  REQUIRE(s.has_value());
  REQUIRE(s.value().message.has_value());
  CHECK(s.value().message.value().get<coact::test::Blob>().getData().size() == 200);

  capnp::MallocMessageBuilder heartbeat{16};
  heartbeat.initRoot<wire::Frame>().initHeartbeat().setSequence(9);
  tcp::frame_words hb;
  tcp::append_frame(heartbeat, hb);
  auto h = d.read(hb);
  REQUIRE(h.has_value());
  REQUIRE(h.value().kind == wire::Frame::HEARTBEAT);
  CHECK(h.value().root().getHeartbeat().getSequence() == 9);

  const auto good = frame_of(sample_header(), blob(64));
  CHECK_FALSE(d.read(std::span{good}.first(good.size() - 1)).has_value());
}
