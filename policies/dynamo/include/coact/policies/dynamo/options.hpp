#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coact/actors/deployment_base.hpp"
#include "coact/actors/replication/raft_core.hpp"
#include "coact/runtime/clock.hpp"

namespace coact::policies::dynamo {

/// Which replica serves an eventually consistent read first (the others are tried next
/// when it does not answer).
enum class read_target : std::uint8_t {
  /// One of the partition's three replicas, drawn at random for each read.
  random,
  /// The replica on the client's own node when it has one, else a random one.
  nearest,
};

/// How one client behaves. Every request has a deadline, and every operation a bounded
/// number of attempts, so an operation ends within about
/// attempts_max * (request_timeout + retry_backoff).
struct client_options {
  /// Whether get() reads consistently (DynamoDB's ConsistentRead) by default.
  bool consistent_read = false;
  read_target eventual_target = read_target::random;
  /// The deadline of one request to one replica.
  duration request_timeout = std::chrono::milliseconds{100};
  /// Requests per operation: redirects to the leader, retries while a partition elects
  /// one or after a timeout (a write with the same token).
  std::uint32_t attempts_max = 6;
  /// The pause before asking again when no replica knows the partition's leader, or a
  /// request failed.
  duration retry_backoff = std::chrono::milliseconds{40};
  /// How long a replica that let an eventually consistent read time out is passed over
  /// by the next ones while another can be asked.
  duration suspect_timeout = std::chrono::milliseconds{300};
};

/// `seed` seeds the replicas' election timeouts and the clients' choice of replica;
/// `storage` keeps each replica's log (file "dynamo-<partition>.log"); without it replicas
/// are volatile, and a restarted one rejoins without a vote until it has caught up (see
/// README: one failure at a time).
struct options : kv::deploy_options {
  /// Partitions the keys hash into; 0 means one per replica node.
  std::uint32_t partition_count = 0;
  /// The defaults of the clients make_client() makes.
  client_options client;
  /// Each partition's Raft timers. Safety never depends on them (leadership is confirmed
  /// by a majority, not by a lease), only how fast a partition fails over. A leader that
  /// hears from neither of its replicas for step_down_after steps down, so that its
  /// clients find the next one.
  replication::raft_timing timing{.heartbeat_period = std::chrono::milliseconds{20},
                                  .step_down_after = std::chrono::milliseconds{150}};
  /// Writes and consistent reads a leader holds while it waits for a majority; more are
  /// refused (Outcome unavailable).
  std::uint32_t pending_max = 1024;
};

}  // namespace coact::policies::dynamo
