#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

#include "coact/actors/log_storage.hpp"
#include "coact/runtime/result.hpp"

namespace coact::kv {

/// An append-only log of records, each framed with its length and a checksum. Opening it
/// replays the records that survived; a torn or corrupt last record (a crash in the middle
/// of a write) is ignored and cut off. A record is durable once sync() returned, so a
/// caller that syncs before it acknowledges loses nothing it acknowledged.
class durable_log {
 public:
  /// Opens the log on `storage`, calling `replay` with each intact record in order.
  /// Fails with errc::parse_error if a record before the last is corrupt (not a torn
  /// tail: the file was damaged), or with the storage's error.
  [[nodiscard]] static result<durable_log> open(
      std::unique_ptr<log_storage> storage,
      const std::function<void(std::span<const std::byte>)>& replay);

  /// Appends one record (visible to a later open once synced). A record is 1 byte to
  /// 4 GiB - 1 (errc::invalid_argument otherwise): an empty frame is all zeros, which is
  /// what a file extended by a crash reads as, so open() never takes one for a record.
  [[nodiscard]] result<void> append(std::span<const std::byte> record);
  /// Makes every appended record durable. After a failed sync (or an append that left a
  /// partial frame it could not cut off) every later append and sync fails with the same
  /// error: the OS may have dropped the unsynced bytes, so a retry proves nothing.
  [[nodiscard]] result<void> sync();
  /// Records appended since open, plus those replayed.
  [[nodiscard]] std::size_t size() const noexcept { return records_; }

 private:
  durable_log(std::unique_ptr<log_storage> storage, std::size_t records, std::size_t bytes) noexcept
      : storage_(std::move(storage)), records_(records), bytes_(bytes) {}

  std::unique_ptr<log_storage> storage_;
  std::size_t records_ = 0;
  std::size_t bytes_ = 0;         // the file's size: where the next frame starts
  std::error_code failed_;        // set once the file can no longer be trusted
  std::vector<std::byte> frame_;  // scratch for one framed record
};

}  // namespace coact::kv
