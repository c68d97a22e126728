#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "coact/actors/durable_log.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/runtime/result.hpp"
#include "oplog.hpp"

namespace coact::policies::read_concern {

/// What a member had written to its disk before it last stopped.
struct member_memory {
  std::uint64_t term = 0;
  std::optional<std::uint32_t> voted_for;
  std::vector<entry> entries;  // index 1 first
};

/// Where a member keeps its term, its vote and its oplog so that they survive a crash: a
/// durable_log of records, synced before the member answers anything that depends on them
/// (a vote, an acknowledged write, a reported applied position). Without storage it keeps
/// nothing (a volatile member).
class member_store {
 public:
  /// A volatile store.
  member_store() = default;
  /// Opens the log on `storage` and fills `memory` from it. Fails with the log's error, or
  /// errc::parse_error if an intact record is not one of ours or does not fit the oplog
  /// read so far.
  [[nodiscard]] static result<member_store> open(std::unique_ptr<kv::log_storage> storage,
                                                 member_memory& memory);

  [[nodiscard]] bool durable() const noexcept { return log_.has_value(); }
  [[nodiscard]] result<void> save_vote(std::uint64_t term, std::optional<std::uint32_t> voted_for);
  [[nodiscard]] result<void> save_append(std::uint64_t index, const entry& e);
  [[nodiscard]] result<void> save_truncate_after(std::uint64_t index);
  /// Makes everything saved so far durable (nothing to do if nothing was saved since).
  [[nodiscard]] result<void> sync();

 private:
  explicit member_store(kv::durable_log log) : log_(std::move(log)) {}

  std::optional<kv::durable_log> log_;
  bool dirty_ = false;
};

}  // namespace coact::policies::read_concern
