#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// The answer of a linearizability check.
enum class verdict : std::uint8_t {
  /// Every key has a linearization: a total order of its operations, consistent with real
  /// time, that the sequential model accepts.
  linearizable,
  /// Some key has none; the report names it and explains why.
  not_linearizable,
  /// The time or step limit ran out before an answer was found (no key failed before that).
  unknown,
};

/// How to check, and how long to try.
///
/// The model is one register per key (a history of one register uses the empty key):
/// read returns the state; write sets it; cas sets it to the new value when the state
/// equals `expected` (or, reported with `matched == false`, leaves it unchanged and is legal
/// only when the state differs from `expected`); append concatenates a string to a string
/// state and is illegal on any other state.
struct linearizability_options {
  /// The state of every key before its first operation: nil for Jepsen's registers, ""
  /// for a key-value store where an absent key reads as the empty string.
  datum initial;
  /// Wall-clock budget of the whole check, measured on std::chrono::steady_clock (the
  /// checker runs outside any actor system, so it reads the host's clock).
  std::chrono::milliseconds time_limit{30'000};
  /// Budget of search steps for the whole check, summed over keys. One step considers one
  /// operation at one point of the search. Memory grows by at most one memo entry a step
  /// (about 40 bytes plus one bit per operation of the key): the default bounds a check to
  /// well under a gigabyte for keys of a few hundred operations.
  std::uint64_t step_limit = 10'000'000;
};

/// The outcome of a check, with an explanation when it is not `linearizable`.
struct linearizability_report {
  verdict outcome = verdict::linearizable;
  /// The key that is not linearizable, or whose check ran out of budget; empty otherwise
  /// (and for a history of one register).
  std::string key;
  /// not_linearizable only: the longest linearizable prefix the search found for `key`,
  /// in linearization order.
  std::vector<operation> prefix;
  /// not_linearizable only: the state of `key` after `prefix`.
  datum state_after_prefix;
  /// not_linearizable only: the operations that could come next after `prefix` in real
  /// time (invoked before the earliest completion still to be placed), none of which leads
  /// to a linearization of the rest.
  std::vector<operation> blocked;
  /// Search steps taken, over all keys checked.
  std::uint64_t steps = 0;
  /// A human-readable account: the verdict, the key, and for a failure the prefix and the
  /// blocked operations with their process, f, values and invoke/complete times.
  std::string explanation;
};

/// Checks that the history of a register or key-value map is linearizable, with Wing and
/// Gong's backtracking search and Lowe's memoisation of (set of linearized operations,
/// state), each key on its own (linearizability is compositional).
///
/// Real time is the history's order, as in Jepsen: a precedes b when a's completion event
/// comes before b's invocation event (completed_before); times appear only in reports.
/// Operations complete with `ok` must take effect between invocation and completion;
/// `fail` operations never took effect and are dropped; `info` and unfinished operations
/// may take effect at any time after their invocation, or never; an `info` read constrains
/// nothing and is dropped. Keys take turns, in rounds that double each key's step budget
/// (in lexicographic order within a round); the first key found not linearizable ends the
/// check. The key reported depends only on the history and the step limit.
///
/// Never hangs: the answer is `unknown` when `options.time_limit` or `options.step_limit`
/// runs out. Returns errc::parse_error when the history's events do not pair up into
/// operations (see pair_operations), and errc::invalid_argument when it holds transactions
/// (check_serializability judges those).
[[nodiscard]] result<linearizability_report> check_linearizability(
    const history& h, const linearizability_options& options = {});

/// As above, for operations already paired (ordered by invoke_index and complete_index),
/// none of them a transaction. Cannot fail.
[[nodiscard]] linearizability_report check_linearizability(
    std::span<const operation> ops, const linearizability_options& options = {});

/// "linearizable", "not-linearizable" or "unknown" (the spelling of the golden EXPECTED
/// file).
[[nodiscard]] const char* to_string(verdict v) noexcept;

/// One operation on one line: process, f, values, outcome, and invoke/complete times
/// ("never" for an operation that may take effect at any later time).
[[nodiscard]] std::string describe(const operation& op);

}  // namespace coact::check
