// envelope_from_wire over a payload's words as they arrive (what the transport uses for
// its own message frames): every payload Cap'n Proto builds is taken as it is and reads
// back as Cap'n Proto's bounds-checking reader reads it; every pointer that could lead an
// unchecked reader out of the words or around for ever (out of bounds, far, capability,
// too deep, a cycle, amplification) is refused; what is refused only for being unusual
// still arrives through the frame decoder's Cap'n Proto reader; and no corruption of a payload
// is taken unless Cap'n Proto's reader takes it too and reads the same.
#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>
#include <kj/exception.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "coact/net/tcp/frame_codec.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/wire.hpp"
#include "test_messages.capnp.h"

using coact::errc;
namespace tcp = coact::net::tcp;

namespace {

constexpr std::size_t bytes_max = 1024 * 1024;

using words = std::vector<std::uint64_t>;

std::span<const capnp::word> span_of(const words& w) noexcept {
  return {reinterpret_cast<const capnp::word*>(w.data()), w.size()};
}

/// A struct pointer at some word to a struct `offset` words after the next one.
constexpr std::uint64_t struct_pointer(std::int32_t offset, std::uint16_t data,
                                       std::uint16_t pointers) noexcept {
  return std::uint64_t{static_cast<std::uint32_t>(offset) << 2} | (std::uint64_t{data} << 32) |
         (std::uint64_t{pointers} << 48);
}

/// A list pointer: `count` elements of size code `size` (0 void ... 6 pointer, 7 structs,
/// where `count` is the words after the tag).
constexpr std::uint64_t list_pointer(std::int32_t offset, std::uint64_t size,
                                     std::uint64_t count) noexcept {
  return std::uint64_t{static_cast<std::uint32_t>(offset) << 2} | 1 | (size << 32) | (count << 35);
}

/// The one segment of `b`, as received.
words words_of(capnp::MessageBuilder& b) {
  const auto segments = b.getSegmentsForOutput();
  REQUIRE(segments.size() == 1);
  words w(segments[0].size());
  std::memcpy(w.data(), segments[0].begin(), w.size() * sizeof(std::uint64_t));
  return w;
}

/// The canonical form of a payload's root (empty for a null root).
words canonical(capnp::AnyPointer::Reader root) {
  if (root.isNull()) return {};
  const auto c = root.getAs<capnp::AnyStruct>().canonicalize();
  words w(c.size());
  std::memcpy(w.data(), c.begin(), w.size() * sizeof(std::uint64_t));
  return w;
}

/// What Cap'n Proto's bounds-checking reader (with the transport's limits) reads in `w`:
/// its root's canonical form, or nothing when it refuses it.
std::optional<words> checked_read(const words& w) {
  try {
    const kj::ArrayPtr<const capnp::word> segments[1] = {
        kj::arrayPtr(reinterpret_cast<const capnp::word*>(w.data()), w.size())};
    capnp::SegmentArrayMessageReader reader{kj::arrayPtr(segments, 1),
                                            tcp::frame_decoder{bytes_max}.reader_options()};
    const auto root = reader.getRoot<capnp::AnyPointer>();
    if (!root.isNull() && !root.isStruct()) return std::nullopt;
    return canonical(root);
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

coact::result<coact::envelope> quick(const words& w) {
  return coact::envelope_from_wire(coact::wire_header{}, span_of(w));
}

/// Fills `p` with a random object: null, a struct, a list of each element size, or a
/// list of structs, `depth` levels deep at most.
void fill(capnp::AnyPointer::Builder p, coact::prng& rng, int depth) {
  const auto count = static_cast<unsigned>(rng.below(6));
  switch (depth == 0 ? rng.below(2) * 3 : rng.below(10)) {
    case 0:
      return;  // null
    case 1: {
      auto s = p.initAsAnyStruct(static_cast<std::uint16_t>(rng.below(3)),
                                 static_cast<std::uint16_t>(rng.below(3)));
      for (auto& b : s.getDataSection()) b = static_cast<capnp::byte>(rng.next());
      for (auto child : s.getPointerSection()) fill(child, rng, depth - 1);
      return;
    }
    case 2: {
      auto s = p.initAsListOfAnyStruct(static_cast<std::uint16_t>(rng.below(2)),
                                       static_cast<std::uint16_t>(rng.below(3)), count);
      for (auto e : s) {
        for (auto& b : e.getDataSection()) b = static_cast<capnp::byte>(rng.next());
        for (auto child : e.getPointerSection()) fill(child, rng, depth - 1);
      }
      return;
    }
    case 3: {
      auto d = p.initAs<capnp::Data>(static_cast<unsigned>(rng.below(40)));
      for (auto& b : d) b = static_cast<capnp::byte>(rng.next());
      return;
    }
    case 4: {
      auto l = p.initAs<capnp::List<bool>>(static_cast<unsigned>(rng.below(130)));
      for (unsigned i = 0; i < l.size(); ++i) l.set(i, rng.chance(0.5));
      return;
    }
    case 5: {
      auto l = p.initAs<capnp::List<std::uint16_t>>(count);
      for (unsigned i = 0; i < count; ++i) l.set(i, static_cast<std::uint16_t>(rng.next()));
      return;
    }
    case 6: {
      auto l = p.initAs<capnp::List<std::uint32_t>>(count);
      for (unsigned i = 0; i < count; ++i) l.set(i, static_cast<std::uint32_t>(rng.next()));
      return;
    }
    case 7: {
      auto l = p.initAs<capnp::List<std::uint64_t>>(count);
      for (unsigned i = 0; i < count; ++i) l.set(i, rng.next());
      return;
    }
    case 8:
      (void)p.initAs<capnp::List<capnp::Void>>(count);
      return;
    default: {
      auto l =
          p.initAsAnyList(capnp::ElementSize::POINTER, count).as<capnp::List<capnp::AnyPointer>>();
      for (auto child : l) fill(child, rng, depth - 1);
      return;
    }
  }
}

/// A random payload of seed `seed`: a root struct and what hangs from it.
words random_payload(std::uint64_t seed) {
  coact::prng rng{seed};
  capnp::MallocMessageBuilder b{1u << 14};
  auto root = b.getRoot<capnp::AnyPointer>().initAsAnyStruct(
      static_cast<std::uint16_t>(rng.below(3)), static_cast<std::uint16_t>(rng.below(4)));
  for (auto& byte : root.getDataSection()) byte = static_cast<capnp::byte>(rng.next());
  for (auto child : root.getPointerSection()) fill(child, rng, 4);
  return words_of(b);
}

}  // namespace

// Proves what coact's own builders send is always taken whole, word for word, and reads
// as Cap'n Proto's bounds-checking reader reads the same words.
TEST_CASE("payloads Cap'n Proto builds are taken as they are", "[net][tcp][payload]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    const words w = random_payload(seed);
    auto e = quick(w);
    REQUIRE(e.has_value());
    const auto got = coact::payload_words(e.value());
    REQUIRE(got.size() == w.size());
    CHECK(std::memcmp(got.data(), w.data(), w.size() * sizeof(std::uint64_t)) == 0);
    const auto checked = checked_read(w);
    REQUIRE(checked.has_value());
    CHECK(canonical(e.value().root()) == *checked);
  }

  // A sealed message, small (in the envelope's own segment) and large (on the heap).
  for (const std::size_t bytes : {std::size_t{0}, std::size_t{64}, std::size_t{5000}}) {
    coact::message<coact::test::Blob> m;
    auto data = m->initData(static_cast<unsigned>(bytes));
    for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<std::uint8_t>(i);
    const coact::envelope sealed = std::move(m).take();
    const auto sent = coact::payload_words(sealed);
    auto e = coact::envelope_from_wire(coact::wire_header{}, sent);
    REQUIRE(e.has_value());
    const auto blob = e.value().root().getAs<coact::test::Blob>().getData();
    REQUIRE(blob.size() == bytes);
    for (std::size_t i = 0; i < bytes; ++i) CHECK(blob[i] == static_cast<std::uint8_t>(i));
  }

  // No payload: no root.
  auto none = quick({});
  REQUIRE(none.has_value());
  CHECK(none.value().root().isNull());
}

// Proves every way out of the words, or around them for ever, is refused; and that where
// Cap'n Proto's own reader refuses as well it does (the check is no weaker than it).
TEST_CASE("pointers that leave the payload or never end are refused", "[net][tcp][payload]") {
  struct bad_case {
    const char* what;
    words payload;
    bool capnp_refuses;  // also refused by Cap'n Proto's bounds-checking reader
  };
  const std::uint64_t one_pointer = struct_pointer(0, 0, 1);  // root: a struct, one pointer
  std::vector<bad_case> cases = {
      {"a struct past the end", {struct_pointer(0, 2, 0), 0}, true},
      {"a struct before the start", {one_pointer, struct_pointer(-3, 1, 0)}, true},
      {"a list past the end", {one_pointer, list_pointer(0, 2, 100)}, true},
      {"a far pointer", {one_pointer, 0x0000'0001'0000'000aULL}, true},
      {"a capability", {one_pointer, 3}, false},
      {"a struct that points at itself", {one_pointer, struct_pointer(-1, 0, 1)}, true},
      {"a root that is a list", {list_pointer(0, 2, 8), 0}, true},
      {"a root that is a far pointer", {2}, true},
      {"struct elements overrunning their words",
       {one_pointer, list_pointer(0, 7, 2), struct_pointer(3, 1, 0), 0, 0},
       true},
      {"struct elements behind a tag that is not a struct pointer",  // 1 element of 1 word
       {one_pointer, list_pointer(0, 7, 1), struct_pointer(1, 1, 0) | 1, 0},
       true},
  };
  // 65 structs deep, each pointing at the next: one level past Cap'n Proto's 64.
  words chain;
  for (int i = 0; i < 65; ++i) chain.push_back(struct_pointer(0, 0, 1));
  chain.push_back(0);
  cases.push_back({"65 levels of structs", chain, true});
  // A list of 2^29 - 1 voids in two words: nothing to send, a lot to read.
  cases.push_back({"amplified voids", {one_pointer, list_pointer(0, 0, (1u << 29) - 1)}, true});

  for (const bad_case& c : cases) {
    INFO(c.what);
    auto e = quick(c.payload);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error() == errc::malformed_message);
    if (c.capnp_refuses) CHECK_FALSE(checked_read(c.payload).has_value());
  }

  // One level less than the chain is taken, as Cap'n Proto takes it.
  chain.erase(chain.begin());
  auto deep = quick(chain);
  REQUIRE(deep.has_value());
  CHECK(checked_read(chain) == canonical(deep.value().root()));

  // The elements of a list of structs are a level below the list, as to Cap'n Proto's
  // readers: after 62 structs such a list is taken, after 63 refused.
  for (const int structs : {62, 63}) {
    INFO(structs << " structs, then a list of one struct");
    words w;
    for (int i = 0; i < structs; ++i) w.push_back(struct_pointer(0, 0, 1));
    w.push_back(list_pointer(0, 7, 1));
    w.push_back(struct_pointer(1, 1, 0));  // the tag: one element of one data word
    w.push_back(42);
    CHECK(quick(w).has_value() == (structs == 62));
  }
}

// Proves the header is checked as by the other overload.
TEST_CASE("a bad header is refused", "[net][tcp][payload]") {
  const words w = random_payload(7);
  coact::wire_header h;
  h.kind = static_cast<coact::message_kind>(9);
  CHECK(coact::envelope_from_wire(h, span_of(w)).error() == errc::malformed_message);
}

// Proves the check is no stricter than it must be where it matters: payloads it refuses
// only for being unusual (pointers that share words; more empty elements than words) are
// still delivered by frame_decoder::read, through Cap'n Proto's reader, and read the same.
TEST_CASE("payloads beyond the check arrive through Cap'n Proto's reader", "[net][tcp][payload]") {
  const words shared = {struct_pointer(0, 0, 2),  // root: two pointers
                        list_pointer(1, 5, 2),    // both to the same two words
                        list_pointer(0, 5, 2), 11, 22};
  const words voids = {struct_pointer(0, 0, 1), list_pointer(0, 0, 1000)};
  for (const words* w : {&shared, &voids}) {
    REQUIRE_FALSE(quick(*w).has_value());
    tcp::frame_words frame;
    tcp::append_message_frame(coact::wire_header{}, span_of(*w), frame);
    auto f = tcp::frame_decoder{bytes_max}.read(frame);
    REQUIRE(f.has_value());
    REQUIRE(f.value().kind == coact::net::wire::Frame::MESSAGE);
    auto& e = f.value().message;
    REQUIRE(e.has_value());
    const auto checked = checked_read(*w);
    REQUIRE(checked.has_value());
    CHECK(canonical(e.value().root()) == *checked);
  }
}

// Proves the check is airtight against corruption: across thousands of payloads with
// random words and bits damaged, each one it takes is one Cap'n Proto's bounds-checking
// reader also takes and reads the same; and damage is caught (some payloads refused).
TEST_CASE("a damaged payload the check takes reads as Cap'n Proto reads it",
          "[net][tcp][payload]") {
  std::size_t taken = 0;
  std::size_t refused = 0;
  coact::prng rng{2024};
  for (std::uint64_t round = 0; round < 3000; ++round) {
    INFO("round " << round);
    words w = random_payload(round % 300 + 1);
    const auto damages = 1 + rng.below(3);
    for (std::uint64_t d = 0; d < damages; ++d) {
      std::uint64_t& word = w[rng.below(w.size())];
      if (rng.chance(0.3)) {
        word = rng.next();
      } else {
        word ^= std::uint64_t{1} << rng.below(64);
      }
    }
    auto e = quick(w);
    if (!e) {
      ++refused;
      continue;
    }
    ++taken;
    const auto checked = checked_read(w);
    REQUIRE(checked.has_value());
    CHECK(canonical(e.value().root()) == *checked);
  }
  CHECK(taken > 100);
  CHECK(refused > 100);
}
