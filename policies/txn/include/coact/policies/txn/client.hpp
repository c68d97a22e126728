#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/actors/replication/leader_client.hpp"
#include "coact/actors/transaction.hpp"
#include "coact/runtime/clock.hpp"

namespace coact::policies::txn {

struct client_options {
  /// How long a transaction may take before its outcome is reported unknown.
  duration timeout = std::chrono::milliseconds{500};
  /// txn-2pc-replicated: how the coordinator group's leader is found (attempts refused by
  /// members that do not lead are retried elsewhere; one that may have been decided is
  /// not: its outcome is unknown).
  replication::retry_options leader{.attempts_max = 8,
                                    .attempt_timeout = std::chrono::milliseconds{500},
                                    .deadline = std::chrono::seconds{2},
                                    .retry_backoff = std::chrono::milliseconds{20},
                                    .retry_maybe_applied = false};
  /// spanner: TrueTime's bound on this node clock's error; read-only transactions are then
  /// snapshot reads at TT.now().latest. Empty: txn-2pc.
  std::optional<duration> epsilon;
};

/// A client of txn-2pc: each transaction goes to the coordinator on the node that owns
/// its first key (txn-2pc-replicated: to the coordinator group's leader). get and put are
/// transactions of one operation; cas is unsupported. An abort is reported with its reason
/// (kv_errc::conflict, rule_violated, unknown_key, unavailable: certainly not applied); no answer
/// in time is errc::timeout (unknown).
class txn_client final : public kv::client, public kv::transactional {
 public:
  /// `directory` must outlive the client; `id` must be unique among the clients of one
  /// deployment and not 0. `groups`: the participants' nodes, in placement order;
  /// `coordinators`: the coordinator group's (empty: txn-2pc's plain coordinators).
  txn_client(const kv::directory& directory, std::vector<kv::member> groups,
             std::vector<std::uint32_t> coordinators, std::uint64_t id, client_options options);

  task<result<kv::txn_result>> transact(actor_context& self, std::vector<kv::txn_op> ops) override;
  task<result<kv::read_result>> get(actor_context& self, std::string key) override;
  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override;
  [[nodiscard]] std::string name() const override {
    return leader_ ? "txn-2pc-replicated" : "txn-2pc";
  }

 private:
  /// spanner: a read-only transaction as a snapshot read at TT.now().latest, from every
  /// group that owns one of its keys, without locks.
  task<result<kv::txn_result>> read_snapshot(actor_context& self,
                                             const std::vector<kv::txn_op>& ops);
  /// Asks for `t` and waits for the coordinator's Outcome.
  task<result<envelope>> ask(actor_context& self, std::function<envelope()> t,
                             const kv::member& home);
  [[nodiscard]] std::string name_of(std::uint32_t node) const;

  const kv::directory* directory_;
  std::vector<kv::member> groups_;
  std::uint64_t id_;
  std::uint64_t sequence_ = 0;
  client_options options_;
  std::optional<replication::leader_client> leader_;
};

}  // namespace coact::policies::txn
