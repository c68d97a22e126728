#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// A transaction of a history: ok committed it, fail aborted it, info may have done either.
/// `ops` are the completion's when ok (reads hold what they returned), else the
/// invocation's.
struct transaction {
  std::int64_t process = 0;
  event_type outcome = event_type::info;
  std::uint64_t invoke_index = 0;
  std::vector<micro_op> ops;
  /// The completion's index when ok or fail; never_index for info or never completed.
  std::uint64_t complete_index = never_index;
  /// The completion's `version` when ok or info: for coact's transactional families, the
  /// commit timestamp (a read-only transaction's snapshot timestamp).
  std::optional<std::uint64_t> version;
};

/// The transactions of `h`, in invocation order. Fails with errc::parse_error when the
/// history does not pair up, and errc::invalid_argument when it holds an operation that
/// is not a transaction, or none; either way saying why (naming the event's index) in
/// `*why` when not null.
[[nodiscard]] result<std::vector<transaction>> transactions_of(const history& h,
                                                               std::string* why = nullptr);

}  // namespace coact::check
