#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "coact/actors/durable_log.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/runtime/result.hpp"
#include "log_entry.hpp"

namespace coact::policies::dynamo {

/// What a partition replica must not forget: its term, its vote in that term, and its log
/// of entries (sequence numbers from 1). Kept in memory and, with storage, in a
/// durable_log of records (a term and vote, an appended entry, a truncation) that open()
/// replays. Changes are durable once sync() returned: a replica syncs before it answers
/// anything that depends on them. Owned by one replica actor.
class partition_log {
 public:
  /// Opens the log on `storage` (null: a volatile log, empty), replaying what survived.
  /// Fails with the storage's error, or errc::parse_error for a record it cannot read.
  [[nodiscard]] static result<partition_log> open(std::unique_ptr<kv::log_storage> storage);

  [[nodiscard]] std::uint64_t term() const noexcept { return term_; }
  [[nodiscard]] std::optional<std::uint32_t> voted_for() const noexcept { return voted_for_; }
  /// Moves to `term` (never back) with the vote given in it.
  [[nodiscard]] result<void> set_term(std::uint64_t term, std::optional<std::uint32_t> voted_for);

  [[nodiscard]] std::uint64_t last_seq() const noexcept { return entries_.size(); }
  /// The term of the entry at `seq`; 0 for seq 0 (before the first entry).
  [[nodiscard]] std::uint64_t term_at(std::uint64_t seq) const noexcept;
  /// The entry at `seq`, 1 <= seq <= last_seq().
  [[nodiscard]] const log_entry& at(std::uint64_t seq) const noexcept;
  /// Appends `e` at last_seq() + 1.
  [[nodiscard]] result<void> append(log_entry e);
  /// Removes every entry from `seq` on (a leader's log replaces them).
  [[nodiscard]] result<void> truncate_from(std::uint64_t seq);
  /// Makes every change so far durable (nothing to do when volatile or already synced).
  [[nodiscard]] result<void> sync();

 private:
  explicit partition_log(std::optional<kv::durable_log> disk) : disk_(std::move(disk)) {}
  [[nodiscard]] result<void> replay(std::span<const std::byte> record);

  /// Empty when volatile.
  std::optional<kv::durable_log> disk_;
  bool unsynced_ = false;
  std::uint64_t term_ = 0;
  std::optional<std::uint32_t> voted_for_;
  std::vector<log_entry> entries_;
};

}  // namespace coact::policies::dynamo
