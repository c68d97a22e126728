// The log's checksum is CRC-32C as every other implementation computes it (the check
// value and the RFC 3720 test vectors), so a log written here is checkable elsewhere.
#include "crc32c.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>

#include "test_bytes.hpp"

using coact::kv::detail::crc32c;
using coact::testing::bytes_of;

TEST_CASE("crc32c matches the published check value and test vectors", "[actors]") {
  CHECK(crc32c(bytes_of("123456789")) == 0xE3069283U);
  CHECK(crc32c({}) == 0U);

  // RFC 3720, B.4: 32 bytes of zeros, of ones, ascending and descending.
  std::array<std::byte, 32> block{};
  CHECK(crc32c(block) == 0x8A9136AAU);
  block.fill(std::byte{0xFF});
  CHECK(crc32c(block) == 0x62A8AB43U);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::byte>(i);
  CHECK(crc32c(block) == 0x46DD794EU);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::byte>(31 - i);
  CHECK(crc32c(block) == 0x113FDB5CU);
}

TEST_CASE("crc32c changes with any single flipped bit", "[actors]") {
  std::array<std::byte, 16> data{};
  const auto clean = crc32c(data);
  for (std::size_t bit = 0; bit < data.size() * 8; ++bit) {
    auto flipped = data;
    flipped[bit / 8] ^= static_cast<std::byte>(1U << (bit % 8));
    CHECK(crc32c(flipped) != clean);
  }
}
