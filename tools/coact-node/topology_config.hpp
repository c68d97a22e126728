#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coact/runtime/result.hpp"
#include "config_error.hpp"

namespace coact::tools {

/// The transport's limits, the same on every node of a topology. Each field is named as
/// its key under `[limits]`; a key the file leaves out keeps the default given here.
struct limits_config {
  /// Largest frame a node sends or accepts, header included: 4096 to 1 GiB.
  std::uint32_t frame_bytes_max = 16 * 1024 * 1024;
  /// Open connections a node keeps, inbound and outbound together: 1 to 65536, and no fewer
  /// than the node's peers (one connection per pair of nodes).
  std::uint32_t connections_max = 64;
  /// Time a new connection has to complete its handshake before it is closed: 1 ms to 10 min.
  std::uint32_t handshake_timeout_ms = 2000;
  /// Messages queued for one peer before sends to it fail as overloaded: 1 to 2^24.
  std::uint32_t outbound_queue_max = 65536;
  /// Time between heartbeats on an idle connection: 1 ms to 60 s.
  std::uint32_t heartbeat_interval_ms = 200;
  /// Suspicion level (phi accrual) above which a peer counts as down: above 0, at most 100.
  double phi_threshold = 8.0;
};

/// One actor a node starts: `kind` picks the code, `name` is how peers find it.
struct actor_config {
  /// One of the kinds the executable knows (the `known_actor_kinds` of load_topology).
  std::string kind;
  /// Unique within its node; 1 to 64 characters from a-z, 0-9, '_' and '-'.
  std::string name;
};

/// One process of the topology.
struct node_config {
  /// Unique in the topology; 1 to 64 characters from a-z, 0-9, '_' and '-'.
  std::string name;
  /// Where the node listens and its peers connect: an IPv4 or IPv6 literal in canonical
  /// form (IPv6 without brackets), or a host name in lower case.
  std::string host;
  /// 1 to 65535.
  std::uint16_t port = 0;
  /// For datacenter-aware policies and partitions; "default" unless the file names one.
  std::string datacenter = "default";
  /// Shards (threads) of the node's actor system: 1 to 256.
  std::uint32_t shards = 1;
  /// In file order.
  std::vector<actor_config> actors;
  /// The node's position in the file, from 0: its number in every actor_ref it hosts.
  std::uint32_t id = 0;

  /// `host:port`, with the host in brackets when it is an IPv6 literal.
  [[nodiscard]] std::string address() const;
};

/// A whole topology as one configuration file describes it. Every node of the topology
/// loads the same file and picks its own entry by name.
struct topology_config {
  /// The file it was loaded from, as given to load_topology: for messages.
  std::filesystem::path file;
  /// Peers of another cluster are refused at the handshake. Non-empty, at most 255 bytes.
  std::string cluster;
  /// The file that holds the cluster's shared secret, absolute; empty when secret_env is set.
  std::filesystem::path secret_file;
  /// The environment variable that holds the secret; empty when secret_file is set.
  std::string secret_env;
  limits_config limits;
  /// At least one, in file order: `nodes[i].id == i`.
  std::vector<node_config> nodes;

  /// The node called `name`, or nullptr. The pointer lives as long as this object, unmoved.
  [[nodiscard]] const node_config* find(std::string_view name) const;
};

/// Reads and validates the topology in `file` (TOML; the format is in README.md).
/// Every key is checked: unknown keys (with a suggestion for a near miss), types, ranges,
/// duplicate node names, addresses and actor names, actor kinds outside
/// `known_actor_kinds`, a connections_max below the peers of a node. A relative
/// secret_file is resolved against the folder of `file`; the secret itself is read_secret's
/// (topology_secret.hpp).
/// Returns errc::parse_error for a file that is not valid TOML and errc::invalid_argument
/// for any other problem (an unreadable file included), and then fills `*error` (when not
/// null) with the first problem found. Never throws, except std::bad_alloc.
[[nodiscard]] result<topology_config> load_topology(
    const std::filesystem::path& file, std::span<const std::string_view> known_actor_kinds,
    config_error* error);

}  // namespace coact::tools
