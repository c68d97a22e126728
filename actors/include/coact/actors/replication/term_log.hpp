#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "coact/actors/durable_log.hpp"
#include "coact/actors/log_storage.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/runtime/result.hpp"

namespace coact::replication {

/// What a member of a replication group must not forget: its current term, whom it voted
/// for in that term, and its log (entries numbered from 1). With storage, every change is
/// appended to a kv::durable_log as a record (replication.capnp Record) and is durable once
/// sync() returned; open() rebuilds the state from the records that survived a crash.
/// Without storage the state is volatile: a member that loses it in a crash and comes back
/// may vote twice in a term or forget entries it acknowledged, so only members that never
/// restart, or rejoin as non-voters until they caught up, may go without.
class term_log {
 public:
  /// Reads back what `storage` holds (null: a volatile, empty log). Fails with the
  /// storage's error, or errc::parse_error if a record does not fit the log before it.
  [[nodiscard]] static result<term_log> open(std::unique_ptr<kv::log_storage> storage);

  [[nodiscard]] std::uint64_t term() const noexcept { return term_; }
  [[nodiscard]] std::optional<std::uint32_t> vote() const noexcept { return vote_; }
  /// Moves to `term` (never back) with `vote` in it.
  [[nodiscard]] result<void> set_term(std::uint64_t term, std::optional<std::uint32_t> vote);

  [[nodiscard]] std::uint64_t last_index() const noexcept { return entries_.size(); }
  [[nodiscard]] std::uint64_t last_term() const noexcept { return term_at(last_index()); }
  /// The term of the entry at `index` (<= last_index()); 0 for index 0.
  [[nodiscard]] std::uint64_t term_at(std::uint64_t index) const noexcept;
  /// The entry at `index`, 1 <= index <= last_index().
  [[nodiscard]] const entry& at(std::uint64_t index) const noexcept;

  /// Appends `entries` after last_index().
  [[nodiscard]] result<void> append(std::span<const entry> entries);
  [[nodiscard]] result<void> append(entry e) { return append(std::span{&e, 1}); }
  /// Drops every entry after `index` (<= last_index()).
  [[nodiscard]] result<void> truncate_after(std::uint64_t index);

  /// True while changes made since the last sync() are not yet durable.
  [[nodiscard]] bool dirty() const noexcept { return dirty_; }
  /// Makes every change durable (a no-op without storage).
  [[nodiscard]] result<void> sync();

 private:
  explicit term_log(std::optional<kv::durable_log> storage) noexcept
      : storage_(std::move(storage)) {}
  [[nodiscard]] result<void> write_entries(std::uint64_t first, std::span<const entry> entries);
  [[nodiscard]] result<void> write(capnp::MessageBuilder& record);

  std::optional<kv::durable_log> storage_;
  std::uint64_t term_ = 0;
  std::optional<std::uint32_t> vote_;
  std::vector<entry> entries_;  // entries_[i] is index i + 1
  bool dirty_ = false;
};

}  // namespace coact::replication
