#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coact/actors/log_storage.hpp"
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
  /// one, and (reads only) retries at another replica after a timeout.
  std::uint32_t attempts_max = 6;
  /// The pause before asking again when no replica knows the partition's leader.
  duration retry_backoff = std::chrono::milliseconds{40};
  /// How long a replica that let a request time out is passed over while another can be
  /// asked (replicas keep naming a crashed leader until they have elected another).
  duration suspect_timeout = std::chrono::milliseconds{300};
};

/// When a partition's replicas act. Safety never depends on these (leadership is
/// confirmed by a majority, not by a lease), only how fast a partition fails over.
struct replica_timing {
  /// How often a replica looks at its deadlines.
  duration tick = std::chrono::milliseconds{5};
  /// How often a leader sends its log (and retries what a replica has not acknowledged).
  duration heartbeat = std::chrono::milliseconds{20};
  /// A follower that hears from no leader for a time drawn from [min, max] campaigns; a
  /// leader that hears from no replica for `min` steps down.
  duration election_timeout_min = std::chrono::milliseconds{150};
  duration election_timeout_max = std::chrono::milliseconds{300};
  /// Entries sent in one Append at most.
  std::uint32_t entries_per_append_max = 64;
  /// Writes and consistent reads a leader holds while it waits for a majority; more are
  /// refused with kv_errc::unavailable.
  std::uint32_t pending_max = 1024;
};

/// Opens the durable file `file` of replica node `node` (e.g. kv::sim_file on the
/// simulated node's disk, or kv::posix_file); null means a volatile replica.
using storage_factory =
    std::function<std::unique_ptr<kv::log_storage>(std::uint32_t node, const std::string& file)>;

/// How a dynamo deployment is set up.
struct options {
  /// Partitions the keys hash into; 0 means one per replica node.
  std::uint32_t partition_count = 0;
  /// The defaults of the clients make_client() makes.
  client_options client;
  replica_timing timing;
  /// Seeds the replicas' election timeouts and the clients' choice of replica.
  std::uint64_t seed = 0;
  /// Where each replica keeps its log. Empty: replicas are volatile, and a restarted one
  /// rejoins without a vote until it has caught up (see README: one failure at a time).
  storage_factory storage;
};

}  // namespace coact::policies::dynamo
