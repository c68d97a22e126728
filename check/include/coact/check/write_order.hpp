#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// Whether `op` may have written its key: an ok or info `write`, or an ok-and-matched or
/// info `cas` (its new value). A failed operation did not; `append` is not modelled.
[[nodiscard]] bool is_write(const operation& op) noexcept;

/// What a key's writes are ordered by (see write_order).
enum class order_basis : std::uint8_t {
  /// Every acknowledged and every observed write of the key has a version: versions order
  /// them.
  version,
  /// Some write lacks a version: w1 is older than w2 iff w1 is known to have taken effect
  /// (it was acknowledged, or some ok read returned it) before w2 was invoked, in the
  /// history's order.
  real_time,
};

/// The writes of a history, what each ok read returned, and the per-key order of writes
/// shared by the session, causal and staleness checkers.
///
/// A write is an ok or info `write`, or an ok-and-matched or info `cas` (its new value);
/// `append` is not modelled. A read is identified with the write it returned by version
/// when the read has a version that a write of its key carries, else by (key, value);
/// nil is the initial state. A read of a write that lacks a version lends it the read's
/// version. Each write gets a span [lo, hi] on its key's basis: its version twice, or the
/// index of its invocation and the earliest index at which it is known to have taken
/// effect (its acknowledgement or the completion of the first ok read that returned it;
/// never_ns if neither). Real time is the history's order, as in Jepsen: times are not
/// used. "a older than b" is a.hi < b.lo: writes that overlap in real time are unordered,
/// so no checker blames a store for the order it gave them.
struct write_order {
  /// read_from value of an ok read that returned nil (the initial state).
  static constexpr std::size_t initial = std::numeric_limits<std::size_t>::max();
  /// read_from value of an ok read whose value (or version) no write wrote.
  static constexpr std::size_t unknown = initial - 1;
  /// read_from value of every operation that is not an ok read.
  static constexpr std::size_t not_a_read = initial - 2;
  /// lo and hi of the initial state: older than every write.
  static constexpr std::int64_t before_all = std::numeric_limits<std::int64_t>::min();

  std::vector<operation> ops;          ///< in invocation order, as pair_operations gives them
  std::vector<std::size_t> read_from;  ///< per op: the index in ops of the write it read
  std::vector<std::int64_t> lo;        ///< per write op (before_all for others)
  std::vector<std::int64_t> hi;        ///< per write op (before_all for others)
  /// per op: true for a write whose place in its key's order is known (an info write
  /// without a version on a version-ordered key has none).
  std::vector<bool> ordered;
  std::unordered_map<std::string, order_basis> basis;  ///< per key that has writes

  /// Whether op i is a write (see above), whatever its place in the order.
  [[nodiscard]] bool is_write(std::size_t i) const;
  /// Whether write a (or initial) is strictly older than write b on their key; false when
  /// either is unordered. Both must be writes of one key, or `initial`.
  [[nodiscard]] bool older(std::size_t a, std::size_t b) const;
};

/// Builds the write order of a history in O(n log n). Fails with errc::parse_error when
/// pair_operations does.
[[nodiscard]] result<write_order> order_writes(const history& h);

/// The session an operation belongs to: its `session`, or "process N" when that is empty.
[[nodiscard]] std::string session_of(const operation& op);

}  // namespace coact::check
