#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "coact/policies/read_concern/op_time.hpp"

namespace coact::policies::read_concern {

/// One version of a key's value: the oplog entry that wrote it.
struct snapshot_value {
  std::string value;
  op_time written;
  std::uint32_t writer = 0;
};

/// A member's data at every oplog index it may still be asked about: each key's versions
/// by the index that wrote them, so that a read can see the state as of the commit point
/// (majority) or of the last entry (local), and a rollback can drop what came after.
class snapshot_map {
 public:
  /// Records the key's value as of the entry at `written` (later than the key's other
  /// versions). Versions no read can need any more are dropped: those older than the
  /// newest one at or before `stable_index` (the commit point, which reads never go below).
  void write(std::string_view key, std::string value, op_time written, std::uint32_t writer,
             std::uint64_t stable_index);
  /// The key's value as of oplog index `index`, or null if it had none.
  [[nodiscard]] const snapshot_value* read(std::string_view key, std::uint64_t index) const;
  /// Forgets every version written after `index` (the oplog was cut there).
  void drop_after(std::uint64_t index);

 private:
  std::map<std::string, std::vector<snapshot_value>, std::less<>> keys_;  // oldest first
};

}  // namespace coact::policies::read_concern
