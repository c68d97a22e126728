#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "coact/policies/read_concern/op_time.hpp"
#include "snapshot_map.hpp"

namespace coact::policies::read_concern {

/// What applying one client write did, as its client is told.
struct write_answer {
  /// The write's number among its client's writes.
  std::uint64_t sequence = 0;
  /// The oplog entry of the write.
  op_time position;
  /// cas only: false when the value found was not the one expected (nothing written).
  bool matched = true;
  /// The key's value after the entry: the write's own, or for a cas that did not match, the
  /// one found (none: the key had no value).
  std::optional<snapshot_value> found;
};

/// Each client's latest applied write and its answer, derived from the oplog (every member
/// keeps one, so that whichever becomes primary knows what is already in its oplog): a
/// primary that gets a request it has applied answers it again instead of appending it
/// twice. As snapshot_map does, it keeps each client's answers back to the commit point, so
/// that a rollback leaves it as if the cut entries had never been applied.
class client_table {
 public:
  /// Records the answer of `client`'s write (later in the oplog than its others). Answers
  /// no rollback can bring back are dropped: those older than the client's newest one at or
  /// before `stable_index` (the commit point).
  void record(std::uint64_t client, write_answer answer, std::uint64_t stable_index);
  /// The client's latest applied write, or null if it has none in the oplog.
  [[nodiscard]] const write_answer* last(std::uint64_t client) const;
  /// Forgets every answer of an entry after `index` (the oplog was cut there).
  void drop_after(std::uint64_t index);

 private:
  std::map<std::uint64_t, std::vector<write_answer>> clients_;  // oldest first
};

}  // namespace coact::policies::read_concern
