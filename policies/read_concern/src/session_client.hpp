#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/policies/read_concern/op_time.hpp"
#include "coact/policies/read_concern/session.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::policies::read_concern {

/// A causally consistent client session on a replica set: every read and write carries
/// the latest oplog position the session has seen (its token), and a member serves a read
/// only once it has reached that position (applied it, for local reads; majority-committed
/// it, for majority reads), so a session's reads never go back behind what it wrote or read
/// before. Writes go to the primary, reads as the read preference says, with retries on
/// other members until the operation's deadline. Each write carries the session's id and
/// its number among the session's writes (the same on every retry), so that it applies
/// once however often it is delivered.
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
  struct operation;

  [[nodiscard]] task<result<answer>> run(actor_context& self, operation op);
  [[nodiscard]] std::size_t choose(bool to_primary);
  [[nodiscard]] std::optional<std::size_t> index_of(std::uint32_t node) const;
  void forget_primary(std::size_t member);

  std::vector<kv::member> members_;
  const kv::directory* directory_;
  session_options options_;
  std::uint64_t id_;
  std::uint64_t writes_ = 0;  // the number of the last write begun
  prng random_;
  op_time token_;
  std::optional<std::size_t> primary_;  // index into members_: the believed primary
  std::size_t rotation_ = 0;            // the next member to try when none is known
  std::vector<duration> round_trip_;    // per member: smoothed reply time, for nearest
};

}  // namespace coact::policies::read_concern
