// Message frames written word by word are ordinary wire::Frame messages to Cap'n Proto's
// reader, the transport's own reader takes back exactly what was written, and any frame
// of another layout or with a damaged header word is left to the Cap'n Proto reader.
#include "coact/net/tcp/message_frame.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "coact/net/tcp/frame_parser.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/message.hpp"
#include "test_messages.capnp.h"

namespace tcp = coact::net::tcp;
namespace wire = coact::net::wire;
using coact::wire_header;

namespace {

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

tcp::frame_words frame_of(const wire_header& h, const coact::envelope& payload) {
  tcp::frame_words out;
  tcp::append_message_frame(
      h, payload ? coact::payload_words(payload) : std::span<const capnp::word>{}, out);
  return out;
}

}  // namespace

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
    require_same(tcp::message_header(f.getMessage()), sample_header());
    check_blob(f.getMessage().getPayload().getAs<coact::test::Blob>(), bytes);
  }
}

// Proves the transport's reader takes back the header and a payload that a bounds-checking
// reader reads as the message sent, and a frame without payload as one without.
TEST_CASE("read_message_frame reads back what append_message_frame wrote", "[net][frame]") {
  for (const std::size_t bytes : {std::size_t{1}, std::size_t{64}, std::size_t{5000}}) {
    INFO("payload of " << bytes << " bytes");
    const auto payload = blob(bytes);
    const auto words = frame_of(sample_header(), payload);
    const auto m = tcp::read_message_frame(words);
    REQUIRE(m);
    require_same(m->header, sample_header());
    const kj::ArrayPtr<const capnp::word> segments[1] = {
        kj::arrayPtr(m->payload.data(), m->payload.size())};
    capnp::SegmentArrayMessageReader reader{kj::arrayPtr(segments, 1)};
    check_blob(reader.getRoot<coact::test::Blob>(), bytes);
  }
  const auto bare = frame_of(sample_header(), coact::envelope{});
  const auto m = tcp::read_message_frame(bare);
  REQUIRE(m);
  require_same(m->header, sample_header());
  CHECK(m->payload.empty());
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
  const auto m = tcp::read_message_frame(without);
  REQUIRE(m);
  require_same(m->header, h);
  capnp::FlatArrayMessageReader reader{kj::arrayPtr(without.data(), without.size())};
  const auto f = reader.getRoot<wire::Frame>();
  REQUIRE(f.which() == wire::Frame::MESSAGE);
  require_same(tcp::message_header(f.getMessage()), h);
  check_blob(f.getMessage().getPayload().getAs<coact::test::Blob>(), 64);
}

// Proves the layout is the one Cap'n Proto's own builder makes of a message frame in one
// segment, so that such a frame takes the quick path too.
TEST_CASE("read_message_frame reads a frame a MessageBuilder made", "[net][frame]") {
  capnp::MallocMessageBuilder built{64};
  auto bm = built.initRoot<wire::Frame>().initMessage();
  bm.setKind(static_cast<std::uint8_t>(coact::message_kind::ask));
  bm.initTarget().setNode(1);
  bm.initSender().setNode(2);
  bm.setCorrelation(7);
  bm.getPayload().initAs<coact::test::Ping>().setN(3);
  tcp::frame_words bw;
  tcp::append_frame(built, bw);
  const auto m = tcp::read_message_frame(bw);
  REQUIRE(m);
  CHECK(m->header.kind == coact::message_kind::ask);
  CHECK(m->header.target.node == 1);
  CHECK(m->header.sender.node == 2);
  CHECK(m->header.correlation == 7);
  const kj::ArrayPtr<const capnp::word> segments[1] = {
      kj::arrayPtr(m->payload.data(), m->payload.size())};
  capnp::SegmentArrayMessageReader reader{kj::arrayPtr(segments, 1)};
  CHECK(reader.getRoot<coact::test::Ping>().getN() == 3);
}

// Proves frames of other layouts go to the Cap'n Proto reader: another kind of frame, a
// message in several segments, a truncated frame, and a frame whose root pointer or
// discriminant is damaged.
TEST_CASE("read_message_frame declines frames of any other layout", "[net][frame]") {
  capnp::MallocMessageBuilder heartbeat{16};
  heartbeat.initRoot<wire::Frame>().initHeartbeat().setSequence(9);
  tcp::frame_words hb;
  tcp::append_frame(heartbeat, hb);
  CHECK_FALSE(tcp::read_message_frame(hb));

  capnp::MallocMessageBuilder split{16, capnp::AllocationStrategy::FIXED_SIZE};
  auto bm = split.initRoot<wire::Frame>().initMessage();
  bm.getPayload().initAs<coact::test::Blob>().initData(200);
  tcp::frame_words sw;
  tcp::append_frame(split, sw);
  REQUIRE(split.getSegmentsForOutput().size() > 1);
  CHECK_FALSE(tcp::read_message_frame(sw));

  const auto payload = blob(64);
  const auto good = frame_of(sample_header(), payload);
  REQUIRE(tcp::read_message_frame(good));
  CHECK_FALSE(tcp::read_message_frame(std::span{good}.first(good.size() - 1)));
  // Word 1: the root pointer (byte 4 holds the data words); word 2: the discriminant.
  for (const auto& [at, byte] : {std::pair{1u, 4u}, std::pair{1u, 6u}, std::pair{2u, 0u}}) {
    INFO("word " << at << " byte " << byte << " damaged");
    auto bad = good;
    reinterpret_cast<std::uint8_t*>(&bad[at])[byte] ^= 0x01;
    CHECK_FALSE(tcp::read_message_frame(bad));
  }
}
