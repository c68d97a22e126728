#include "snapshot_map.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <utility>

namespace coact::policies::read_concern {

void snapshot_map::write(std::string_view key, std::string value, op_time written,
                         std::uint32_t writer, std::uint64_t stable_index) {
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(std::string{key}, std::vector<snapshot_value>{}).first;
  auto& versions = it->second;
  assert(versions.empty() || versions.back().written.index < written.index);
  versions.push_back({std::move(value), written, writer});
  // Keep the newest version at or before the stable index, and every later one.
  const auto later = std::find_if(versions.begin(), versions.end(), [&](const snapshot_value& v) {
    return v.written.index > stable_index;
  });
  if (std::distance(versions.begin(), later) > 1) versions.erase(versions.begin(), later - 1);
}

const snapshot_value* snapshot_map::read(std::string_view key, std::uint64_t index) const {
  const auto it = keys_.find(key);
  if (it == keys_.end()) return nullptr;
  const auto& versions = it->second;
  const auto after = std::upper_bound(
      versions.begin(), versions.end(), index,
      [](std::uint64_t i, const snapshot_value& v) { return i < v.written.index; });
  return after == versions.begin() ? nullptr : &*std::prev(after);
}

void snapshot_map::drop_after(std::uint64_t index) {
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& versions = it->second;
    while (!versions.empty() && versions.back().written.index > index) versions.pop_back();
    it = versions.empty() ? keys_.erase(it) : std::next(it);
  }
}

}  // namespace coact::policies::read_concern
