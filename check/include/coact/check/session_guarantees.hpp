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

/// What a key's writes are ordered by (see write_order).
enum class order_basis : std::uint8_t {
  /// Every acknowledged and every observed write of the key has a version: versions order
  /// them.
  version,
  /// Some write lacks a version: w1 is older than w2 iff w1 is known to have taken effect
  /// (it was acknowledged, or some ok read returned it) before w2 was invoked.
  real_time,
};

/// The writes of a history, what each ok read returned, and the per-key order of writes
/// shared by the session, causal and staleness checkers.
///
/// A write is an ok or info `write`, or an ok-and-matched or info `cas` (its new value);
/// `append` is not modelled. A read is identified with the write it returned by version
/// when the read has a version that a write of its key carries, else by (key, value);
/// nil is the initial state. A read of a write that lacks a version lends it the read's
/// version. Each write gets a span [lo, hi] on its key's basis: its version twice, or its
/// invocation time and the earliest time it is known to have taken effect (its
/// acknowledgement or the completion of the first ok read that returned it; never_ns if
/// neither). "a older than b" is a.hi < b.lo: writes that overlap in real time are
/// unordered, so no checker blames a store for the order it gave them.
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

/// Which of the four session guarantees (Terry et al., 1994) to check.
struct session_guarantee_set {
  bool read_your_writes = true;
  bool monotonic_reads = true;
  bool monotonic_writes = true;
  bool writes_follow_reads = true;
};

/// What a session violation broke.
enum class session_violation_kind : std::uint8_t {
  /// ops: {the session's write w, the read, the write it returned (absent if nil)}. The read
  /// was invoked after w was acknowledged and returned a write older than w, or nil.
  read_your_writes,
  /// ops: {the earlier read, the write it returned, the later read, the write it returned
  /// (absent if nil)}. The later read returned a write older than the earlier one's.
  monotonic_reads,
  /// ops: {the session's earlier write, its later write}. The later write is ordered
  /// before the earlier one.
  monotonic_writes,
  /// ops: {the read, the write it returned, the session's later write to the key}. The
  /// write is ordered before the write the session had read.
  writes_follow_reads,
  /// ops: {the read}. It returned a value no ok or info write of its key wrote, so the
  /// history cannot be judged at that read.
  unknown_value,
};

[[nodiscard]] const char* to_string(session_violation_kind k) noexcept;

/// One broken guarantee, at the operation that broke it.
struct session_violation {
  session_violation_kind kind = session_violation_kind::unknown_value;
  std::string session;
  std::int64_t process = 0;  ///< the process of the operation that broke it (the last op)
  std::string key;
  std::vector<operation> ops;  ///< as listed for each kind, copied from the history
  std::string reason;          ///< one line, for people
};

/// The verdict of check_session_guarantees.
struct session_report {
  std::vector<session_violation> violations;  ///< in the order the sessions broke them
  std::size_t session_count = 0;
  std::size_t read_count = 0;   ///< ok reads checked
  std::size_t write_count = 0;  ///< writes checked (ok and info)

  /// True when no guarantee asked for was broken and every read could be judged.
  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Checks the chosen session guarantees for every session of `h`, in O(n log n).
///
/// A session's operations are taken in history order; "after" means the earlier operation
/// completed before the later one was invoked (only relevant to sessions spanning
/// processes). Guarantees are judged per key with write_order's "older": read-your-writes
/// against the session's acknowledged writes, monotonic reads against the writes its
/// completed ok reads returned, monotonic writes between its writes, writes-follow-reads
/// between a write and the writes the session read on that key before (across keys it is
/// the causal checker's business). On real-time-ordered keys, monotonic writes and
/// writes-follow-reads cannot fail: real time already orders a session's writes after
/// what it saw. Fails with errc::parse_error when the history does not pair up.
[[nodiscard]] result<session_report> check_session_guarantees(const history& h,
                                                              session_guarantee_set which = {});

}  // namespace coact::check
