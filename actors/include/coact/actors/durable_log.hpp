#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
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

  /// Appends one record (visible to a later open once synced).
  [[nodiscard]] result<void> append(std::span<const std::byte> record);
  [[nodiscard]] result<void> sync();
  /// Records appended since open, plus those replayed.
  [[nodiscard]] std::size_t size() const noexcept { return records_; }

 private:
  explicit durable_log(std::unique_ptr<log_storage> storage, std::size_t records) noexcept
      : storage_(std::move(storage)), records_(records) {}

  std::unique_ptr<log_storage> storage_;
  std::size_t records_ = 0;
  std::vector<std::byte> frame_;  // scratch for one framed record
};

}  // namespace coact::kv
