#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/kv_client.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::kv {

/// One operation of a transaction. Values are text; `append` keeps a key's elements
/// separated by single spaces, so that list-append histories can be read back.
struct txn_op {
  enum class kind : std::uint8_t {
    read,    ///< the key's value
    write,   ///< sets the key to `value`
    append,  ///< adds `value` as the key's last element
    /// Adds `delta` to the key's integer value (an account's balance). Refused with
    /// kv_errc::unknown_key when the key has no value, and kv_errc::rule_violated when the
    /// result would be negative: the business rules of a transfer.
    add,
  };
  kind what = kind::read;
  std::string key;
  std::string value;
  std::int64_t delta = 0;
};

/// What a committed transaction returned: for each operation, in order, the value its key
/// held before it (empty: none), as the transaction saw it (its own earlier writes
/// included). Writes and appends return it too.
struct txn_result {
  std::vector<std::optional<std::string>> before;
  /// The transaction's commit timestamp (a read-only one's snapshot timestamp), for
  /// families that give one (0: none).
  std::uint64_t timestamp = 0;
  /// How long its commit waited for that timestamp to pass (spanner's commit wait).
  duration commit_wait{0};
  /// The node that coordinated it, for histories and people.
  std::string node;
};

/// The transactions capability of the client contract: families whose descriptor names
/// "transactions" make clients that also implement this. A transaction runs all its
/// operations, atomically and in isolation, or none.
///
/// Errors: kv_errc::empty_transaction (refused at the client); kv_errc::conflict (aborted:
/// another transaction held a key; a retry may commit), kv_errc::rule_violated and
/// kv_errc::unknown_key (aborted by a business rule), kv_errc::unavailable (aborted:
/// a participant could not be reached): each certainly not applied; errc::timeout when
/// its outcome is unknown.
class transactional {
 public:
  virtual ~transactional() = default;
  virtual task<result<txn_result>> transact(actor_context& self, std::vector<txn_op> ops) = 0;
};

/// The capability of `c`, or null when its family has no transactions.
[[nodiscard]] inline transactional* transactions_of(client& c) noexcept {
  return dynamic_cast<transactional*>(&c);
}

}  // namespace coact::kv
