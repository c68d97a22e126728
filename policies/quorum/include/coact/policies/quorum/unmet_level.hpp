#pragma once

#include <cstdint>
#include <optional>
#include <system_error>

#include "coact/policies/quorum/level.hpp"

namespace coact::policies::quorum {

/// Why a request failed: its level needed `needed` acknowledgements and only `answered`
/// of them arrived before the replicas' deadline. A write may still have taken effect on
/// the replicas that answered (and on the others later); a read returned nothing.
struct unmet_level {
  level wanted = level::one;
  std::uint32_t needed = 0;
  std::uint32_t answered = 0;
  friend bool operator==(const unmet_level&, const unmet_level&) = default;
};

/// Counts above this are clamped in an error code (one key has at most this many replicas).
inline constexpr std::uint32_t error_count_max = 4095;

/// The category of unmet-level errors, "coact.quorum". Each error_code's value encodes
/// (level, needed, answered); message() prints e.g. "QUORUM not met: 1 of 2 required
/// replicas answered". Every such code is equivalent to coact::kv::kv_errc::level_unmet as
/// an error condition (`code == std::error_condition{kv::kv_errc::level_unmet-as-int,
/// kv::kv_category()}`, and code.default_error_condition() is that condition), and
/// kv::certainly_not_applied is false for it, so histories record an unmet write as info.
[[nodiscard]] const std::error_category& quorum_category() noexcept;

/// The error code of `u` (counts clamped to error_count_max).
[[nodiscard]] std::error_code make_error_code(const unmet_level& u) noexcept;

/// The level, need and answers an error code of quorum_category() carries; empty for any
/// other code.
[[nodiscard]] std::optional<unmet_level> unmet_level_of(std::error_code code) noexcept;

}  // namespace coact::policies::quorum
