#include "coact/actors/versioned_map.hpp"

#include <utility>

namespace coact::kv {

const stored_value* versioned_map::find(std::string_view key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

bool versioned_map::apply(std::string_view key, std::string value, kv::version version) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(std::string{key}, stored_value{std::move(value), version});
    return true;
  }
  // Strictly newer only: an equal version is the same write arriving again (a retry, a
  // duplicate, a replay), so applying it twice changes nothing.
  if (!(it->second.version < version)) return false;
  it->second = stored_value{std::move(value), version};
  return true;
}

}  // namespace coact::kv
