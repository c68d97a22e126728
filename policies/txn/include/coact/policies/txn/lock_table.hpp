#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace coact::policies::txn {

/// A transaction's identity: its client's number and that client's count of transactions.
struct txn_id {
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;
  friend auto operator<=>(const txn_id&, const txn_id&) = default;
};

/// The locks of one participant: shared for reads, exclusive for writes, taken without
/// waiting (no-wait). A request that conflicts is refused at once and its transaction
/// aborts, so no transaction ever waits for another and none can deadlock. Locks are held
/// until the transaction's decision (strict two-phase locking).
class lock_table {
 public:
  /// Takes `key` for `owner`: false when another owner holds it exclusively, or, for an
  /// exclusive lock, holds it at all. An owner that holds it shared upgrades when it alone
  /// holds it.
  bool acquire(const std::string& key, txn_id owner, bool exclusive);
  /// Releases every lock of `owner`.
  void release(txn_id owner);
  /// The locks `owner` holds: (key, exclusive).
  [[nodiscard]] std::vector<std::pair<std::string, bool>> held(txn_id owner) const;
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

 private:
  struct holders {
    std::set<txn_id> owners;
    bool exclusive = false;
  };
  std::map<std::string, holders> keys_;
  std::map<txn_id, std::set<std::string>> owned_;
};

}  // namespace coact::policies::txn
