#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "coact/runtime/result.hpp"

namespace coact::check {

/// A value in a history: nil (nothing, e.g. a read of an absent key), an integer, or a
/// string. Values of different alternatives never compare equal.
using datum = std::variant<std::monostate, std::int64_t, std::string>;

/// Jepsen's event types. `fail`: the operation certainly did not take effect; `info`: its
/// outcome is unknown (it may take effect at any time after its invocation, or never).
enum class event_type : std::uint8_t { invoke, ok, fail, info };

/// The operation (Jepsen's `f`). Key-value histories use read/write (Jepsen's get/put);
/// a transaction (`txn`) holds micro-operations instead of a key and value.
enum class op_kind : std::uint8_t { read, write, cas, append, txn };

/// One micro-operation of a transaction, as Jepsen writes it: `[f, key, value]` with f `r`,
/// `w` or `append`.
struct micro_op {
  enum class kind : std::uint8_t { read, write, append };
  kind f = kind::read;
  datum key;
  /// write and append: the argument; a register's read: the value read (nil: the initial
  /// state, or not read yet).
  datum value;
  /// A list's read (list-append): the elements read, oldest first.
  std::optional<std::vector<datum>> list;
};

/// One recorded event of a client operation, with Jepsen's field names where Jepsen has
/// them (`index`, `time`, `process`, `type`, `f`, `key`, `value`).
struct event {
  /// The event's place in the history: events are ordered by it (as in Jepsen, real-time
  /// order is the history's order), so indices strictly increase along a history, below
  /// 2^63. Gaps are allowed (a history filtered, or with its nemesis events skipped).
  std::uint64_t index = 0;
  /// When it was recorded, on the recorder's clock (real or virtual): for reports and for
  /// measuring lags, never for ordering.
  std::int64_t time_ns = 0;
  std::int64_t process = 0;  ///< the client; at most one operation in flight per process
  event_type type = event_type::invoke;
  op_kind f = op_kind::read;
  std::string key;  ///< empty for a history of one register
  /// read: the value read (on ok); write and append: the argument; cas: the new value.
  datum value;
  /// cas only: the value compared against. In JSON, a cas value is `[expected, new]`.
  datum expected;
  /// cas completions only: false when the cas ran but its compare did not match (Jepsen's
  /// etcd tests log that as `:fail`; coact's clients as `ok` with `matched` false).
  bool matched = true;
  std::optional<std::uint64_t> version;  ///< the version read or written, when known
  std::string node;                      ///< the node that served it, when known
  std::string session;                   ///< the client session, when the policy has sessions
  std::vector<micro_op> txn;             ///< txn only: in JSON, the value
};

using history = std::vector<event>;

/// A completion time for operations that never completed (or completed with `info`):
/// later than every event.
inline constexpr std::int64_t never_ns = std::numeric_limits<std::int64_t>::max();
/// The completion index of those operations: after every event.
inline constexpr std::uint64_t never_index = std::numeric_limits<std::uint64_t>::max();

/// An invocation paired with its completion.
struct operation {
  std::int64_t process = 0;
  op_kind f = op_kind::read;
  std::string key;
  datum argument;       ///< write/append: the value; cas: the new value; read: nil
  datum expected;       ///< cas: the value compared against
  datum output;         ///< read: the value read (ok only)
  bool matched = true;  ///< cas: whether the compare matched (ok only)
  /// ok, fail, or info (also for an operation still open at the end of the history).
  event_type outcome = event_type::info;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = never_ns;  ///< never_ns unless ok or fail
  std::uint64_t invoke_index = 0;
  std::uint64_t complete_index = never_index;  ///< never_index unless ok or fail
  std::optional<std::uint64_t> version;
  std::string node;
  std::string session;
  /// txn: the completion's micro-operations when ok (reads hold what they returned), else
  /// the invocation's.
  std::vector<micro_op> txn;
};

/// Whether `a` completed before `b` was invoked: a's ok or fail completion comes before b's
/// invocation in the history (Jepsen's real-time order). Never for an operation completed
/// with `info` or not at all.
[[nodiscard]] bool completed_before(const operation& a, const operation& b) noexcept;

/// Where and why a history's events do not pair up into operations.
struct pairing_failure {
  std::size_t position = 0;  ///< the offending event's position in the history, from 0
  std::string reason;        ///< names the process and what it did
};

/// Pairs each process's invocation with its next completion, in history order. Fails with
/// errc::parse_error, and fills `*failure` when it is not null, when the indices do not
/// strictly increase (or reach 2^63), a process completes an operation it did not invoke,
/// invokes a second operation while one is open, completes with a different `f` or key,
/// or completes at a `time_ns` before its invocation's. Operations come out in invocation
/// order.
[[nodiscard]] result<std::vector<operation>> pair_operations(const history& h,
                                                             pairing_failure* failure = nullptr);

[[nodiscard]] const char* to_string(event_type t) noexcept;
[[nodiscard]] const char* to_string(op_kind f) noexcept;
/// A datum as Jepsen prints it: nil, 3, "x".
[[nodiscard]] std::string to_string(const datum& d);

}  // namespace coact::check
