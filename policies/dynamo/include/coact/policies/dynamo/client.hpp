#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/policies/dynamo/options.hpp"
#include "coact/policies/dynamo/partitioning.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::policies::dynamo {

/// A dynamo client: hashes each key to its partition and asks that partition's replicas.
/// Writes and consistent reads go to the partition's leader (its last known one, first
/// the partition's first replica) and follow not_leader redirects; eventually consistent
/// reads go to any replica of the partition and move to the next one when it does not
/// answer. Every request has options.request_timeout, every operation at most
/// options.attempts_max requests.
///
/// Each write (put, cas) carries an idempotency token: the client's id and the write's
/// number (1, 2, ...), the same in every attempt. So a write whose request timed out, or
/// whose leader stepped down, is sent again (to the next replica, within attempts_max):
/// the partition applies it once, and answers every copy with what it did.
///
/// Errors: kv_errc::unavailable (every replica asked refused: no leader, or none caught
/// up; nothing was written), kv_errc::level_unmet (a leader lost its leadership before
/// the write committed, and no later attempt got an answer: it may yet take effect), or
/// the ask's error (errc::timeout: for a write, its outcome is then unknown).
///
/// Run one operation at a time on a client: of two concurrent writes, the one applied
/// second could be taken for an old copy and not applied (it fails with level_unmet).
class client final : public kv::client {
 public:
  /// `layout` and `refs` must outlive the client (the deployment owns them). `id` must
  /// not be 0, and no other client of the partitions may have it.
  client(const partitioning& layout, const kv::directory& refs, std::uint32_t home,
         std::uint64_t id, client_options options, prng random);

  /// A read, consistent or not as options.consistent_read says.
  task<result<kv::read_result>> get(actor_context& self, std::string key) override;
  /// A read, consistent (at the leader, linearizable) or eventually consistent (at any
  /// replica, maybe stale), whatever the client's default.
  task<result<kv::read_result>> get(actor_context& self, std::string key, bool consistent);
  /// An eventually consistent read at the replica on `node` only (for tests and tools
  /// that compare replicas). kv_errc::unavailable if `node` holds no replica of the key.
  task<result<kv::read_result>> get_from(actor_context& self, std::string key, std::uint32_t node);
  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override;
  /// A conditional write, decided by the leader in log order (DynamoDB's
  /// ConditionExpression on the item's value).
  task<result<kv::write_result>> cas(actor_context& self, std::string key,
                                     std::optional<std::string> expected,
                                     std::string value) override;

  /// "dynamo eventual" or "dynamo consistent": the default read.
  [[nodiscard]] std::string name() const override;

 private:
  struct request;
  struct answer;
  using replica_nodes = std::array<std::uint32_t, replication_factor>;

  /// Whether `node` did not answer a request lately (within options.suspect_timeout).
  [[nodiscard]] bool suspected(std::uint32_t node, time_point now) const;
  /// The replica to ask after `node`: the next one round the partition that is not
  /// suspected (the next one at all when every one is).
  [[nodiscard]] std::uint32_t next_replica(const replica_nodes& nodes, std::uint32_t node,
                                           time_point now) const;

  /// At the partition's leader, following redirects.
  task<result<answer>> at_leader(actor_context& self, const request& r);
  /// At any replica of the partition, the next one when one does not answer.
  task<result<answer>> at_replicas(actor_context& self, const request& r);
  /// One request to the replica on `node`.
  task<result<answer>> ask(actor_context& self, std::uint32_t node, const request& r);

  const partitioning* layout_;
  const kv::directory* refs_;
  std::uint32_t home_;
  /// The first half of every write's idempotency token; the second is the last write's
  /// number.
  std::uint64_t id_;
  std::uint64_t sequence_ = 0;
  client_options options_;
  prng random_;
  /// The last leader seen of each partition.
  std::map<std::uint32_t, std::uint32_t> leaders_;
  /// Replica nodes that did not answer, until when they are passed over.
  std::map<std::uint32_t, time_point> suspects_;
};

}  // namespace coact::policies::dynamo
