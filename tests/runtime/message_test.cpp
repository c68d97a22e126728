// Proves that messages of any size arrive intact (small ones in place, big ones flattened),
// and that the configured maximum size is enforced at the sender.
#include <catch2/catch.hpp>

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
    (void)self.reply(e, std::move(total));
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
    auto reply =
        system.ask_blocking<coact::test::Total>(checker.value(), std::move(blob), 10s);
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
