#pragma once

#include <cstdint>
#include <vector>

namespace coact::detail {

/// A slot of `entries` to reuse: the last one freed, or else a new default-made one at the
/// end. The caller owns both vectors and fills the entry.
template <class Entry>
std::uint32_t take_slot(std::vector<Entry>& entries, std::vector<std::uint32_t>& free) {
  if (!free.empty()) {
    const std::uint32_t slot = free.back();
    free.pop_back();
    return slot;
  }
  entries.push_back({});
  return static_cast<std::uint32_t>(entries.size() - 1);
}

}  // namespace coact::detail
