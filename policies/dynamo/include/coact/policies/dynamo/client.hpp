#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/actors/replication/leader_client.hpp"
#include "coact/policies/dynamo/options.hpp"
#include "coact/policies/dynamo/partitioning.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::policies::dynamo {

/// A dynamo client: hashes each key to its partition and asks that partition's replicas.
/// Writes and consistent reads go to the partition's leader through a
/// replication::leader_client per partition (leader hints, retries, idempotency tokens);
/// eventually consistent reads go to any replica of the partition and move to the next one
/// when it does not answer or does not serve yet. Every request has
/// options.request_timeout, every operation at most options.attempts_max requests.
///
/// Each write (put, cas) carries an idempotency token: the client's id and the write's
/// number in its partition (1, 2, ...), the same in every attempt. So a write whose request
/// timed out, or whose leader stepped down, is sent again: the partition applies it once,
/// and answers every copy with what it did.
///
/// Errors: kv_errc::unavailable when the operation certainly had no effect (every replica
/// asked refused, or did not answer a consistent read: no leader, or none caught up);
/// errc::timeout when a write may have been applied and its outcome could not be learned;
/// for an eventually consistent read that no replica answered, the last ask's error.
///
/// Run one operation at a time on a client: of two concurrent writes, the one applied
/// second could be taken for an old copy and not applied (it fails with errc::timeout).
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
  using replica_nodes = std::array<std::uint32_t, replication_factor>;

  /// Whether `node` did not answer a read lately (within options.suspect_timeout).
  [[nodiscard]] bool suspected(std::uint32_t node, time_point now) const;
  /// The replica to ask after `node`: the next one round the partition that is not
  /// suspected (the next one at all when every one is).
  [[nodiscard]] std::uint32_t next_replica(const replica_nodes& nodes, std::uint32_t node,
                                           time_point now) const;

  [[nodiscard]] replication::leader_client& leader_of(std::uint32_t p);
  /// Sends what `build` makes to partition `p`'s leader until it is answered.
  task<result<envelope>> at_leader(actor_context& self, std::uint32_t p,
                                   const std::function<envelope()>& build, bool write);
  task<result<kv::write_result>> write(actor_context& self, replication::command c);
  /// An eventually consistent read at any replica of partition `p`, the next one when one
  /// does not answer.
  task<result<kv::read_result>> at_replicas(actor_context& self, std::uint32_t p,
                                            const std::string& key);
  /// An eventually consistent read at the replica on `node`; kv_errc::unavailable when it
  /// does not serve.
  task<result<kv::read_result>> ask(actor_context& self, std::uint32_t p, std::uint32_t node,
                                    const std::string& key);

  const partitioning* layout_;
  const kv::directory* refs_;
  std::uint32_t home_;
  /// The first half of every write's idempotency token.
  std::uint64_t id_;
  client_options options_;
  prng random_;
  /// Each partition's leader_client, made at its first write or consistent read.
  std::map<std::uint32_t, replication::leader_client> leaders_;
  /// Replica nodes that did not answer a read, until when they are passed over.
  std::map<std::uint32_t, time_point> suspects_;
};

}  // namespace coact::policies::dynamo
