#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace coact::tools {

/// The candidate closest to `word` when it is close enough to be a typo of it (an edit
/// distance of at most 2, less for short words, or `word` with its end left off, as in
/// "heartbeat_interval" for "heartbeat_interval_ms"): the "did you mean" of a message.
/// The view points into `candidates`.
[[nodiscard]] std::optional<std::string_view> near_miss(
    std::string_view word, std::span<const std::string_view> candidates);

}  // namespace coact::tools
