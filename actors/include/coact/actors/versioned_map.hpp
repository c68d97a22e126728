#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "coact/actors/kv_client.hpp"

namespace coact::kv {

/// A stored value with its version.
struct stored_value {
  std::string value;
  kv::version version;
};

/// The replica's state: each key's latest value by version (last writer wins).
class versioned_map {
 public:
  /// The key's value, or null.
  [[nodiscard]] const stored_value* find(std::string_view key) const;
  /// Stores `value` at `version` if that is newer than the key's stored version. True if
  /// it was stored.
  bool apply(std::string_view key, std::string value, kv::version version);
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  /// Every key in order (for anti-entropy and tests).
  [[nodiscard]] const std::map<std::string, stored_value, std::less<>>& entries() const noexcept {
    return entries_;
  }

 private:
  std::map<std::string, stored_value, std::less<>> entries_;
};

}  // namespace coact::kv
