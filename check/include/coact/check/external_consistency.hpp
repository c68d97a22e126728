#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/check/transaction.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// What a history of timestamped transactions shows that no externally consistent store
/// (Spanner's guarantee) can show.
enum class external_violation_kind : std::uint8_t {
  /// T1 completed before T2 was invoked, yet T2's timestamp is below T1's (or equal to it,
  /// when T2 writes).
  timestamp_order,
  /// Two committed read-write transactions that conflict on a key (both write it, or one
  /// reads it and the other writes it) share a timestamp: the timestamps do not order them.
  duplicate_timestamp,
  /// A read missed a committed write its snapshot includes (or its own earlier write).
  stale_read,
  /// A read returned a write its snapshot excludes: one timestamped above it (at or above,
  /// for a read-write reader), or one its own transaction makes only later.
  future_read,
  /// A list read holds the elements its snapshot includes, but not in the order of their
  /// timestamps (or one of them twice).
  misordered_read,
  /// A read returned a value only a failed transaction wrote.
  aborted_read,
  /// A read returned a value its writer overwrote later within the same transaction.
  intermediate_read,
  /// A read returned a value no transaction wrote (or, for a list, appended).
  unknown_write,
  /// A key written twice with one value, or both as a register (`w`) and as a list
  /// (`append`): a read cannot name its writer, so the key's reads are not judged.
  unjudgeable,
};

/// The name printed in reports: timestamp-order, duplicate-timestamp, stale-read, ...
[[nodiscard]] const char* to_string(external_violation_kind k) noexcept;

struct external_violation {
  external_violation_kind kind = external_violation_kind::unjudgeable;
  datum key;  ///< the key read or written; nil for timestamp_order
  /// The transactions involved, by position in the input: the earlier then the later
  /// (timestamp_order); the reader, then the writer it returned, then the one it missed
  /// (reads); the writers (duplicate_timestamp, unjudgeable).
  std::vector<std::size_t> positions;
  std::vector<transaction> transactions;  ///< copies of them, in the same order
  std::string reason;                     ///< one line, for people
};

/// The verdict of check_external_consistency.
struct external_report {
  std::vector<external_violation> violations;
  std::size_t committed = 0;  ///< ok transactions, and info ones with a timestamp a read saw
  std::size_t read_only = 0;  ///< the committed ones with no write
  std::size_t reads = 0;      ///< the `r` micro-operations of ok transactions
  /// Of those, the reads not judged: they returned a write of unknown timestamp (an info
  /// transaction's without a version), or read a key marked unjudgeable, or a list key two
  /// committed transactions appended to at one timestamp (their order is unknown), or a key
  /// another committed transaction wrote at the reader's own commit timestamp.
  std::size_t unjudged_reads = 0;

  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Judges `txns` for external consistency, Spanner's guarantee: the transactions' timestamps
/// (each one's `version`: a read-write transaction's commit timestamp, a read-only one's,
/// with only `r` micro-operations, snapshot timestamp) give a serial order that agrees with
/// real time, and every read returns exactly what that order says.
///
/// Committed: ok transactions, and info ones with a timestamp whose write some ok read
/// returned. fail transactions certainly did not commit; info ones without a timestamp may
/// have committed at an unknown one, so a read that returns their write is counted in
/// `unjudged_reads`, not judged. Writes name their transaction by value: a key's writes
/// write distinct values, as Jepsen's generators make them.
///
/// - Real-time order: when T1 completed ok before T2 was invoked (`completed_before`, the
///   history's order), ts(T1) < ts(T2) if T2 writes, and ts(T1) <= ts(T2) if T2 is
///   read-only (its snapshot must include what T1 wrote or saw, and may share T1's
///   timestamp). Checked between committed transactions, whichever of them writes: a
///   read-only T1's snapshot must not miss, after the fact, a T2 that started after it
///   ended, and a read-only T2 after a read-only T1 must not read an older state.
/// - Snapshot exactness: a read-only transaction at s sees the committed writes timestamped
///   <= s; a read-write one committing at s sees those timestamped < s, then its own
///   earlier writes in its micro-operation order. A register read returns the newest write
///   of its key it sees (nil when none); a list read, the elements appended to it that it
///   sees, in timestamp order, each transaction's in its own order. An info transaction
///   with a timestamp may or may not have committed: its absence is fine, but a read that
///   returns its write shows that it committed, and then every read that sees its
///   timestamp must see it.
/// - Two committed read-write transactions that both write a key, or one of which reads a
///   key the other writes, have different timestamps (the reads of such a key, at such a
///   timestamp, are not judged).
///
/// Fails with errc::invalid_argument, saying why in `*why` when not null, when an ok
/// transaction has no timestamp: its history cannot be judged. O((n + l) log n) for n
/// micro-operations and l list elements read.
[[nodiscard]] result<external_report> check_external_consistency(
    const std::vector<transaction>& txns, std::string* why = nullptr);

/// The report as text: a line of counts, then `kind: reason` per violation.
[[nodiscard]] std::string explain(const external_report& r);

}  // namespace coact::check
