#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// What a causal violation broke.
enum class causal_violation_kind : std::uint8_t {
  /// A read returned a write older than (or nil, before) a write of its key that the
  /// session's causal past already held.
  missing_dependency,
  /// A read returned a value no ok or info write of its key wrote: not judged.
  unknown_value,
};

[[nodiscard]] const char* to_string(causal_violation_kind k) noexcept;

/// One read that observed a write without one of its causal dependencies.
struct causal_violation {
  causal_violation_kind kind = causal_violation_kind::unknown_value;
  std::string session;       ///< as session_of names it
  std::int64_t process = 0;  ///< the process of `read`
  std::string key;           ///< the key read
  operation read;            ///< the offending read
  /// The write `read` returned; absent for nil (and for unknown_value).
  std::optional<operation> returned;
  /// missing_dependency: the write w1 of `key` in the session's causal past that `read`
  /// should have seen (or a later one).
  std::optional<operation> dependency;
  /// missing_dependency: the write w2 the session observed and that depends on
  /// `dependency`; absent when the session knew `dependency` itself (it wrote or read it).
  std::optional<operation> through;
  /// missing_dependency: how the session came to know: its read of `through` (or of
  /// `dependency`), or its own write `dependency`.
  std::optional<operation> learned_by;
  std::string reason;  ///< one line, for people
};

/// The verdict of check_causal.
struct causal_report {
  std::vector<causal_violation> violations;  ///< in the order the sessions broke them
  std::size_t session_count = 0;
  std::size_t read_count = 0;   ///< ok reads checked
  std::size_t write_count = 0;  ///< writes whose dependencies were tracked (ok and info)

  /// True when every read saw the causal past of its session and could be judged.
  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Checks causal consistency: no read observes a write without the writes it depends on.
///
/// A write depends on every write its session (session_of) acknowledged before it and on
/// every write its session's ok reads returned before it, transitively; a session's causal
/// past is its own acknowledged writes, the writes it read and their dependencies. Each
/// ok read must return, for its key, a write no older (write_order's "older": by version,
/// else real time) than any write of that key in its session's causal past at the read's
/// invocation; nil fails if the past holds any. Cost, for n operations, r reads and s
/// sessions: O(n (s + log n) + r s log n) time and O(n s) memory (causal pasts are vector
/// clocks over sessions). Fails with errc::parse_error when the history does not pair up.
[[nodiscard]] result<causal_report> check_causal(const history& h);

}  // namespace coact::check
