#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/actors/replication/leader_client.hpp"
#include "coact/policies/read_concern/op_time.hpp"
#include "coact/policies/read_concern/read_concern.capnp.h"
#include "coact/policies/read_concern/session.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::policies::read_concern {

/// A causally consistent client session on a replica set: every read and write carries
/// the latest oplog position the session has seen (its token), and a member serves a read
/// only once it has reached that position (applied it, for local reads; majority-committed
/// it, for majority reads), so a session's reads never go back behind what it wrote or read
/// before. Writes and linearizable reads go to the primary through a
/// replication::leader_client (the members' hints, retries until the operation's deadline,
/// the session's id and the write's number as its idempotency token); other reads to the
/// member the read preference names, retried on others. A write is not sent again once an
/// attempt may have reached a primary (it fails with errc::timeout, or kv_errc::level_unmet
/// when its primary answered that its concern was not met): a second copy could commit
/// under a new primary while the first is reported rolled back.
class session_client final : public kv::client {
 public:
  /// `directory` must outlive the client; `id` (not 0) must be unique in the replica set.
  session_client(std::vector<kv::member> members, const kv::directory& directory,
                 session_options options, std::uint64_t id, prng random);

  task<result<kv::read_result>> get(actor_context& self, std::string key) override;
  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override;
  /// Offered at every write concern: the primary decides it in oplog order, so with w:1 it
  /// may be rolled back like any w:1 write.
  task<result<kv::write_result>> cas(actor_context& self, std::string key,
                                     std::optional<std::string> expected,
                                     std::string value) override;
  [[nodiscard]] std::string name() const override;

  /// The session's causal token: the latest oplog position it has seen.
  [[nodiscard]] op_time token() const noexcept { return token_; }

 private:
  struct answer;

  /// Sends what `build` makes (given how long the member may wait) to the primary.
  [[nodiscard]] task<result<answer>> at_primary(actor_context& self,
                                                std::function<envelope(duration wait)> build,
                                                bool write);
  /// Reads at the member the read preference names, then at others.
  [[nodiscard]] task<result<answer>> at_member(actor_context& self, const std::string& key);
  /// A read at the primary or at the member the read preference names.
  [[nodiscard]] task<result<answer>> read(actor_context& self, const std::string& key);
  [[nodiscard]] task<result<kv::write_result>> write(actor_context& self, replication::command c);
  [[nodiscard]] envelope read_request(const std::string& key, duration wait) const;
  /// An ok answer: the token moves on to what it saw.
  [[nodiscard]] answer accept(proto::ClientReply::Reader r);
  [[nodiscard]] std::size_t choose();
  [[nodiscard]] std::optional<std::size_t> index_of(std::uint32_t node) const;

  std::vector<kv::member> members_;
  const kv::directory* directory_;
  session_options options_;
  replication::leader_client leader_;
  prng random_;
  op_time token_;
  std::optional<std::size_t> primary_;  // index into members_: the last primary named
  std::vector<duration> round_trip_;    // per member: smoothed reply time, for nearest
};

}  // namespace coact::policies::read_concern
