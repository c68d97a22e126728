// Proves that messages of any size arrive intact (small ones in place, big ones flattened),
// and that the configured maximum size is enforced at the sender.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "coact/runtime/actor_system.hpp"
#include "test_messages.capnp.h"

using namespace std::chrono_literals;

namespace {

/// Replies with the size and a checksum of the blob it was sent.
coact::task<void> blob_checker(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    const auto data = e.get<coact::test::Blob>().getData();
    std::int64_t sum = 0;
    for (auto byte : data) sum += byte;
    coact::message<coact::test::Total> total;
    total->setValue(static_cast<std::int64_t>(data.size()) * 1'000'000 + sum % 1'000'000);
    self.reply(e, std::move(total));
  }
}

std::int64_t expected(const std::vector<unsigned char>& bytes) {
  std::int64_t sum = 0;
  for (auto byte : bytes) sum += byte;
  return static_cast<std::int64_t>(bytes.size()) * 1'000'000 + sum % 1'000'000;
}

}  // namespace

TEST_CASE("small and large messages arrive intact on either shard", "[runtime]") {
  coact::actor_system system{coact::system_config{.shard_count = 2}};
  const auto shard = GENERATE(0u, 1u);
  auto checker = system.spawn(coact::spawn_options{.shard = shard}, &blob_checker);
  REQUIRE(checker);
  for (std::size_t size : {0u, 8u, 100u, 4'096u, 300'000u}) {
    std::vector<unsigned char> bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i * 31 + 7);
    coact::message<coact::test::Blob> blob;
    blob->setData(kj::arrayPtr(bytes.data(), bytes.size()));
    auto reply = system.ask_blocking<coact::test::Total>(checker.value(), std::move(blob), 10s);
    REQUIRE(reply);
    CHECK(reply.value().get<coact::test::Total>().getValue() == expected(bytes));
  }
}

TEST_CASE("a message over the maximum size is refused at the sender", "[runtime]") {
  coact::actor_system system{coact::system_config{.shard_count = 1, .message_bytes_max = 1024}};
  auto checker = system.spawn(&blob_checker);
  REQUIRE(checker);
  std::vector<unsigned char> bytes(4'096, 1);
  coact::message<coact::test::Blob> blob;
  blob->setData(kj::arrayPtr(bytes.data(), bytes.size()));
  auto sent = system.tell(checker.value(), std::move(blob));
  REQUIRE_FALSE(sent);
  CHECK(sent.error() == coact::errc::message_too_large);

  coact::message<coact::test::Blob> small;
  small->setData(kj::arrayPtr(bytes.data(), 16));
  auto reply = system.ask_blocking<coact::test::Total>(checker.value(), std::move(small), 10s);
  REQUIRE(reply);
  CHECK(reply.value().get<coact::test::Total>().getValue() == 16 * 1'000'000 + 16);
}

// Proves the thread's reused builder keeps every message whole: messages of every shape
// built one after another (empty, scalars only, with a text, larger than the inline
// segment) across many renewals of the builder, a message built while another is still
// open, and a message built on one thread and sealed on another.
TEST_CASE("messages built one after another in the reused builder stay whole", "[runtime]") {
  std::vector<coact::envelope> sealed;
  for (int i = 0; i < 20'000; ++i) {
    switch (i % 4) {
      case 0:
        sealed.push_back(coact::message<coact::test::Get>{}.take());
        break;
      case 1: {
        coact::message<coact::test::Add> m;
        m->setValue(i);
        m->setFrom(static_cast<std::uint32_t>(i * 3));
        m->setSeq(static_cast<std::uint64_t>(i) * 7);
        sealed.push_back(std::move(m).take());
        break;
      }
      case 2: {
        coact::message<coact::test::Crash> m;
        m->setWhat("message " + std::to_string(i));
        sealed.push_back(std::move(m).take());
        break;
      }
      default: {
        coact::message<coact::test::Blob> m;
        auto data = m->initData(static_cast<unsigned>(100 + i % 300));
        for (unsigned b = 0; b < data.size(); ++b) data[b] = static_cast<std::uint8_t>(b + i);
        sealed.push_back(std::move(m).take());
      }
    }
  }
  for (int i = 0; i < 20'000; ++i) {
    const coact::envelope& e = sealed[static_cast<std::size_t>(i)];
    switch (i % 4) {
      case 0:
        REQUIRE(e.is<coact::test::Get>());
        break;
      case 1:
        REQUIRE(e.get<coact::test::Add>().getValue() == i);
        REQUIRE(e.get<coact::test::Add>().getFrom() == static_cast<std::uint32_t>(i * 3));
        REQUIRE(e.get<coact::test::Add>().getSeq() == static_cast<std::uint64_t>(i) * 7);
        break;
      case 2:
        REQUIRE(std::string{e.get<coact::test::Crash>().getWhat().cStr()} ==
                "message " + std::to_string(i));
        break;
      default: {
        const auto data = e.get<coact::test::Blob>().getData();
        REQUIRE(data.size() == static_cast<unsigned>(100 + i % 300));
        for (unsigned b = 0; b < data.size(); ++b) {
          REQUIRE(data[b] == static_cast<std::uint8_t>(b + i));
        }
      }
    }
  }

  coact::message<coact::test::Crash> outer;
  outer->setWhat("outer");
  coact::message<coact::test::Crash> inner;
  inner->setWhat("inner");
  const auto inner_sealed = std::move(inner).take();
  const auto outer_sealed = std::move(outer).take();
  CHECK(std::string{inner_sealed.get<coact::test::Crash>().getWhat().cStr()} == "inner");
  CHECK(std::string{outer_sealed.get<coact::test::Crash>().getWhat().cStr()} == "outer");

  coact::message<coact::test::Crash> travelling;
  travelling->setWhat("built here, sealed there");
  coact::envelope arrived;
  std::thread other{[&] { arrived = std::move(travelling).take(); }};
  other.join();
  CHECK(std::string{arrived.get<coact::test::Crash>().getWhat().cStr()} ==
        "built here, sealed there");
  coact::message<coact::test::Crash> after;
  after->setWhat("after");
  CHECK(std::string{std::move(after).take().get<coact::test::Crash>().getWhat().cStr()} == "after");
}
