#pragma once

#include <cstdint>
#include <string_view>

namespace coact {

/// FNV-1a of `text`: the same on every machine and in every run (std::hash is not), for
/// what must replay or place data alike everywhere: random streams, fault sites, keys.
[[nodiscard]] std::uint64_t stable_hash(std::string_view text) noexcept;

}  // namespace coact
