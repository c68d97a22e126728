#pragma once

#include <asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "coact/net/tcp/backoff.hpp"
#include "coact/net/tcp/cluster_secret.hpp"
#include "coact/net/tcp/failure_detector.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/remote_router.hpp"

namespace coact::net::tcp {

/// Bounds on what a peer can make this node hold or accept.
struct transport_limits {
  /// Largest frame accepted (and sent): a message over it closes the connection.
  std::size_t frame_bytes_max = 16u << 20;
  /// Connections held at once, handshaking or established; more are closed at accept.
  std::size_t connections_max = 64;
  /// A peer that has not completed its handshake by then is disconnected.
  duration handshake_timeout = std::chrono::seconds{2};
  /// Messages queued for one peer; beyond it, tell reports errc::overloaded and ask fails.
  std::size_t outbound_queue_max = 65'536;
  /// How often each connection sends a heartbeat, and the failure detector looks.
  duration heartbeat_interval = std::chrono::milliseconds{200};
  /// When a peer counts as down (see phi_accrual_detector).
  phi_options failure_detector;
  /// Delays between attempts to connect to a peer.
  backoff_options reconnect;
};

/// Another node of the topology.
struct peer_address {
  std::uint32_t node_id = 0;
  std::string name;
  std::string host;
  std::uint16_t port = 0;
};

/// One node's transport settings.
struct transport_options {
  std::string cluster;
  std::string node_name;
  std::uint32_t node_id = 0;
  std::string listen_host = "127.0.0.1";
  /// 0: any free port (see transport::start).
  std::uint16_t listen_port = 0;
  /// Every other node. Of each pair, the node with the smaller id connects to the other.
  std::vector<peer_address> peers;
  transport_limits limits;
  /// Where reasons go: refused handshakes, closed connections, nodes lost. Standard error
  /// when empty. Called on the transport's thread.
  std::function<void(std::string_view)> log;
};

/// What the transport did, for metrics and tests. Read from any thread.
struct transport_counters {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t writes = 0;  ///< socket writes: frames_sent / writes is the batching
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  ///< over connections_max
  std::uint64_t handshakes_completed = 0;
  std::uint64_t handshakes_refused = 0;  ///< by this node or by its peer
  std::uint64_t frames_malformed = 0;    ///< bad framing, bad Cap'n Proto, bad header, unknown kind
  std::uint64_t frames_oversized = 0;
  std::uint64_t messages_overloaded = 0;   ///< refused: the peer's queue was full
  std::uint64_t messages_unreachable = 0;  ///< refused or dropped: the peer was down
  std::uint64_t nodes_lost = 0;
};

/// Where a peer is, as this node sees it.
enum class peer_state : std::uint8_t {
  connecting,  ///< no connection yet, or lost and being re-established; messages wait
  up,          ///< connected and authenticated
  down,        ///< the failure detector gave up on it: sends fail fast until it is back
};

/// Cap'n Proto over TCP between the nodes of one cluster: the remote_router of a node's
/// actor system. Each pair of nodes shares one connection, opened by the node with the
/// smaller id and authenticated by the handshake over the cluster secret. Messages queued
/// together leave in one write. A heartbeat failure detector marks silent peers down:
/// the actor system is told (actor_system::node_lost): asks to them fail with
/// errc::node_unreachable and local watchers of their actors get a Down. A bad frame closes only
/// its connection, with a logged reason.
///
/// Runs on the io_context given (which the caller runs, on one thread); route() may be
/// called from any thread.
class transport final : public remote_router {
 public:
  transport(asio::io_context& io, transport_options options, cluster_secret secret);
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;
  /// stop() must have returned (or start() never been called).
  ~transport() override;

  /// The actor system that receives what arrives; before start(), and it must outlive
  /// stop().
  void attach(actor_system& system);
  /// Binds the listening socket and starts accepting and connecting. Returns the port
  /// (the one chosen when options.listen_port was 0). Errors: errc::invalid_argument (no
  /// system attached, bad options, or the address cannot be bound).
  [[nodiscard]] result<std::uint16_t> start();
  /// Closes every connection and stops every loop; waits until that is done. Not from
  /// the transport's own thread.
  void stop();

  /// Queues a message for its node (see remote_router). Errors: errc::node_unreachable
  /// (not a peer, or down), errc::overloaded (its queue is full).
  [[nodiscard]] result<void> route(envelope&& e) override;

  /// From any thread.
  [[nodiscard]] transport_counters counters() const;
  /// Where `node` is (down for a node that is not a peer). Asks the transport's thread
  /// and waits: call it while that thread runs, and never from it.
  [[nodiscard]] peer_state state(std::uint32_t node) const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace coact::net::tcp
