#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/policies/read_concern/op_time.hpp"

namespace coact::policies::read_concern {

enum class entry_kind : std::uint8_t { noop, put, cas };

/// One operation in the oplog.
struct entry {
  std::uint64_t term = 0;
  entry_kind kind = entry_kind::noop;
  std::string key;
  std::string value;
  /// cas only: the value the key must hold (none: the key must have no value).
  std::optional<std::string> expected;
  /// The node of the primary that wrote it.
  std::uint32_t primary = 0;
  /// The request it came from: its client's id (0: none) and number (ClientWrite).
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;
};

/// A member's oplog: entries at indices 1..last_index(), their terms never decreasing.
class oplog {
 public:
  [[nodiscard]] std::uint64_t last_index() const noexcept { return entries_.size(); }
  /// The position of the last entry ({0, 0} when empty).
  [[nodiscard]] op_time last() const noexcept { return {term_at(last_index()), last_index()}; }
  /// The term of the entry at `index`; 0 for index 0. Requires index <= last_index().
  [[nodiscard]] std::uint64_t term_at(std::uint64_t index) const noexcept;
  /// Requires 1 <= index <= last_index().
  [[nodiscard]] const entry& at(std::uint64_t index) const noexcept;
  /// The first index whose entry has the term of the entry at `index` (where a primary
  /// should resume when `index` conflicts). Requires 1 <= index <= last_index().
  [[nodiscard]] std::uint64_t first_of_term(std::uint64_t index) const noexcept;

  /// Adds `e` at last_index() + 1. Its term must be at least the last entry's.
  void append(entry e);
  /// Removes the entries after `index` and returns them, oldest first.
  std::vector<entry> truncate_after(std::uint64_t index);

 private:
  std::vector<entry> entries_;  // entries_[i] is index i + 1
};

}  // namespace coact::policies::read_concern
