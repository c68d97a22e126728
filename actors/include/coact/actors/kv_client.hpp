#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::kv {

/// The version of a stored value. Last-writer-wins policies order versions by timestamp,
/// then writer node (the deterministic tiebreak); log-based policies put the log position
/// in `counter`. `counter` is what histories record as the version.
struct version {
  std::uint64_t counter = 0;
  std::uint32_t writer = 0;
  friend auto operator<=>(const version&, const version&) = default;
};

/// What a get returned.
struct read_result {
  /// The value read; empty when the key has no value.
  std::optional<std::string> value;
  /// The version of that value; {} when there is none.
  kv::version version;
  /// The node that served it, for histories and people.
  std::string node;
};

/// What a put or cas did.
struct write_result {
  /// The version written (for a cas whose compare failed: the version found).
  kv::version version;
  /// cas only: false when the value found was not the one expected (nothing written).
  bool matched = true;
  std::string node;
};

/// One client's handle on a key-value policy: every policy answers these operations, so
/// one workload and one set of checkers run against all of them. Each call is made from
/// the client actor's own code, with that actor's context, one operation at a time.
/// Errors: coact::kv::kv_errc (see kv_errc.hpp) and coact::errc (timeout,
/// node_unreachable, ...).
class client {
 public:
  virtual ~client() = default;

  virtual task<result<read_result>> get(actor_context& self, std::string key) = 0;
  virtual task<result<write_result>> put(actor_context& self, std::string key,
                                         std::string value) = 0;
  /// Writes `value` if the key holds `expected` (empty: the key has no value). Policies
  /// that cannot offer it fail with kv_errc::unsupported.
  virtual task<result<write_result>> cas(actor_context& self, std::string key,
                                         std::optional<std::string> expected, std::string value);

  /// What this client is, as tables print it: the policy and its levels, e.g.
  /// "quorum R=QUORUM W=QUORUM".
  [[nodiscard]] virtual std::string name() const = 0;
};

}  // namespace coact::kv
