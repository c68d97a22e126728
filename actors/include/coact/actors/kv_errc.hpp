#pragma once

#include <system_error>
#include <type_traits>

namespace coact::kv {

/// Failures of key-value operations shared by every policy (the runtime's own failures,
/// such as coact::errc::timeout, come as they are).
enum class kv_errc : int {
  /// Refused before anything was done: no leader or primary reachable, the minority side
  /// of a partition. The operation certainly did not take effect.
  unavailable = 1,
  /// Fewer replicas answered than the consistency level needs. A write may still have
  /// taken effect on the replicas that did answer.
  level_unmet,
  /// The policy does not offer this operation (e.g. cas).
  unsupported,
  /// The node asked is not the leader or primary; the client may retry elsewhere.
  not_leader,
  /// A transaction was aborted because another held a key it needed; a retry may commit.
  conflict,
  /// A transaction was aborted by a business rule (a balance would go negative).
  rule_violated,
  /// A transaction was aborted: it adds to a key that has no value (no such account).
  unknown_key,
  /// A transaction with no operation, refused at the client.
  empty_transaction,
  /// A snapshot read at a timestamp too far ahead of now (spanner), refused.
  timestamp_too_far,
};

[[nodiscard]] const std::error_category& kv_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(kv_errc e) noexcept {
  return {static_cast<int>(e), kv_category()};
}

/// True when `error` is `e`, or a policy's own, more detailed code that stands for it
/// (one whose default_error_condition() is `e`'s, such as the quorum policy's unmet-level
/// codes for kv_errc::level_unmet). Comparing with == sees only the first.
[[nodiscard]] bool is(std::error_code error, kv_errc e) noexcept;

/// True when an operation that failed with `error` certainly did not take effect, so a
/// history records it as `fail`; otherwise (a timeout, an unmet level on a write) its
/// outcome is unknown and it is recorded as `info`.
[[nodiscard]] bool certainly_not_applied(std::error_code error) noexcept;

}  // namespace coact::kv

template <>
struct std::is_error_code_enum<coact::kv::kv_errc> : std::true_type {};
