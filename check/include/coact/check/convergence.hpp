#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// What one replica holds for one key at the end. A key a replica does not list is nil.
struct replica_value {
  datum value;
  std::optional<std::uint64_t> version;

  friend bool operator==(const replica_value&, const replica_value&) = default;
};

/// A replica's final state: key → value.
using replica_state = std::map<std::string, replica_value>;

/// Every replica's final state, by replica name.
using replica_states = std::map<std::string, replica_state>;

/// What a convergence violation broke.
enum class convergence_violation_kind : std::uint8_t {
  /// The replicas do not all hold the same value (and version, where both have one).
  divergent_key,
  /// An acknowledged write is neither the final value nor ordered before the write that is.
  lost_write,
  /// The final value was written by no ok or info write of its key (perhaps only by a
  /// failed one): the history cannot account for it.
  unwritten_final_value,
};

[[nodiscard]] const char* to_string(convergence_violation_kind k) noexcept;

/// One key that did not converge, or one write that converged away.
struct convergence_violation {
  convergence_violation_kind kind = convergence_violation_kind::divergent_key;
  std::string key;
  /// divergent_key: every replica's value for the key, by replica name.
  std::vector<std::pair<std::string, replica_value>> values;
  /// lost_write, unwritten_final_value: the replicas whose final value it is about.
  std::vector<std::string> replicas;
  std::optional<operation> write;        ///< lost_write: the acknowledged write lost
  std::optional<operation> final_write;  ///< lost_write: the write of the final value, if any
  std::string reason;                    ///< one line, for people
};

/// The verdict of check_convergence.
struct convergence_report {
  /// Divergent keys first (by key), then each key's unwritten values and lost writes.
  std::vector<convergence_violation> violations;
  std::size_t replica_count = 0;
  std::size_t key_count = 0;    ///< keys a replica holds or a write wrote
  std::size_t write_count = 0;  ///< acknowledged writes checked against the final state

  /// True when all replicas agree and no acknowledged write was lost.
  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Checks, after faults have healed and the system is quiet, that every replica holds the
/// same state and that no acknowledged write was lost unless overwritten.
///
/// Writes are ok or info `write`s, and ok-and-matched or info `cas`es. A final value is the
/// write of its key with the replica's version, or else with its value. An acknowledged
/// write w is kept when it is the final value, or when the final value's write f could have
/// overwritten it: f is not ordered before w, where f is before w if both have versions and
/// f's is smaller, or else if f was acknowledged before w was invoked in the history's order
/// (completed_before; concurrent writes may land in either order). A nil final value keeps no
/// write. With divergent replicas, each distinct final value is judged for the replicas holding it.
/// Cost: O(n log n + k r + w d) for k keys, r replicas, w writes and d distinct final values of a
/// key. Fails with errc::invalid_argument when `final_states` is empty, and with errc::parse_error
/// when the history does not pair up.
[[nodiscard]] result<convergence_report> check_convergence(const history& h,
                                                           const replica_states& final_states);

}  // namespace coact::check
