#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "coact/actors/replication/applied_writes.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/actors/versioned_map.hpp"

namespace coact::replication {

/// What applying a put or a cas did, as its client is told.
struct write_outcome {
  /// The write's version (its log index, then the member that led); for a cas whose
  /// compare failed, the version of the value found (zero: the key had none).
  kv::version version;
  bool matched = true;
};

/// The replicated key-value state of a group that applies only committed entries: every
/// member applies the committed log to one, in order, and so holds the same state at the
/// same index. Each write is applied once per idempotency token.
class replicated_map {
 public:
  /// Applies the entry at `index` (each index once, in increasing order). The outcome for
  /// the client that asked; empty for a no-op, and for a copy of a write older than its
  /// client's latest, which nobody waits for.
  std::optional<write_outcome> apply(std::uint64_t index, const command& c);
  /// The key's value, or null.
  [[nodiscard]] const kv::stored_value* find(std::string_view key) const {
    return values_.find(key);
  }
  [[nodiscard]] const kv::versioned_map& values() const noexcept { return values_; }
  [[nodiscard]] const applied_writes<write_outcome>& writes() const noexcept { return writes_; }

 private:
  kv::versioned_map values_;
  applied_writes<write_outcome> writes_;
};

}  // namespace coact::replication
