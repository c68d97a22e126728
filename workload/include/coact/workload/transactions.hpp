#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "coact/actors/recording_client.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::workload {

/// What each client of a transactional family does: `transactions` transactions, each
/// after a pause of up to think_max.
struct txn_work {
  enum class kind : std::uint8_t {
    /// Elle's list-append: each transaction reads or appends to 1 to ops_max of `keys`
    /// keys ("k0", ...), appending values no other append writes.
    list_append,
    /// A bank: `keys` accounts ("a0", ...) opened with initial_balance each by the first
    /// client, then transfers of 1 to amount_max between two of them, and a share `audit`
    /// of audits that read every account. Once every other client is done, the first
    /// audits until an audit commits (at most final_audits tries): an audit commits only
    /// when no transaction holds an account, so every transfer prepared by then has
    /// learned its outcome.
    bank,
  };
  kind what = kind::list_append;
  std::uint64_t keys = 4;
  std::uint32_t transactions = 30;
  std::chrono::nanoseconds think_max = std::chrono::milliseconds{3};
  std::uint32_t ops_max = 4;
  std::int64_t initial_balance = 100;
  std::int64_t amount_max = 20;
  double audit = 0.2;
  std::uint32_t final_audits = 100;
};

/// The name of bank account `i`.
[[nodiscard]] inline std::string account(std::uint64_t i) { return "a" + std::to_string(i); }

/// What the transactional clients of one run share.
struct txn_group {
  /// Set once the bank's accounts are open: the other clients wait for it.
  std::atomic<bool> open{false};
  /// The clients started.
  std::atomic<std::size_t> clients{0};
  /// The clients that have done all their transactions.
  std::atomic<std::size_t> done{0};
  /// Transactions committed, and aborted (certainly not applied).
  std::atomic<std::uint64_t> committed{0};
  std::atomic<std::uint64_t> aborted{0};
};

/// invalid_argument, with `*why` (when not null), for no keys, fewer than two accounts, no
/// operations per transaction, a negative balance, amount or think time, or an audit share
/// outside [0, 1].
[[nodiscard]] result<void> validate(const txn_work& w, std::string* why = nullptr);

/// One transactional client: `w` through `client` (whose inner client must offer
/// kv::transactional), drawn from `random`; `opens` for the client that opens the bank's
/// accounts (retrying until it commits). Then adds one to group->done. `group` must
/// outlive the actor; `w` must be valid.
[[nodiscard]] task<void> run_txn_client(actor_context& self,
                                        std::unique_ptr<kv::recording_client> client, txn_work w,
                                        bool opens, std::int64_t process, prng random,
                                        txn_group* group);

}  // namespace coact::workload
