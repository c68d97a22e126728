#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/check/write_order.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

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
