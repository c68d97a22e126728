#pragma once

#include <cstddef>
#include <string_view>

#include "coact/runtime/stable_hash.hpp"

namespace coact::policies::txn {

/// The group (participant) that owns `key` among `groups`: the same on every node and run.
[[nodiscard]] inline std::size_t group_of(std::string_view key, std::size_t groups) noexcept {
  return static_cast<std::size_t>(stable_hash(key) % groups);
}

}  // namespace coact::policies::txn
