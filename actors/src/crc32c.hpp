#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace coact::kv::detail {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor
/// 0xFFFFFFFF) of `bytes`: the checksum iSCSI, ext4 and most storage engines use.
/// crc32c of "123456789" is 0xE3069283.
[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> bytes) noexcept;

}  // namespace coact::kv::detail
