#pragma once

// The transport's state and its parts, each defined in the file named after its concern:
//   transport.cpp          its life (start, stop), the node table, failure detection, and
//                          the log
//   outbound_channel.cpp   routing to a peer: its queue, coalesced writes, heartbeats, and
//                          reconnecting with backoff
//   connection_io.cpp      a connection's reads through the one frame decoder, delivery to
//                          the actor system, and closing
//   handshake_session.cpp  accepting and initiating connections up to an authenticated peer
// All of it runs on the transport's thread except route(), which any thread may call.

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/net/tcp/frame_codec.hpp"
#include "coact/net/tcp/handshake.hpp"
#include "coact/net/tcp/transport.hpp"
#include "connection.hpp"
#include "peer.hpp"

namespace coact::net::tcp {

/// Every coroutine of the transport reports errors as values.
inline constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// The transport's clock: failure detection and heartbeats run on real time.
[[nodiscard]] inline time_point steady_now() noexcept {
  return {
      std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

struct transport::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io_context, transport_options o, cluster_secret s);

  asio::io_context& io;
  transport_options options;
  cluster_secret secret;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer detector_timer;
  node_identity self;
  actor_system* system = nullptr;
  std::vector<std::unique_ptr<peer>> peers;
  std::vector<std::shared_ptr<connection>> connections;  // every open one
  frame_words direct_words;                              // what route_here writes at once
  bool stopping = false;
  /// `stopping` for route() on other threads.
  std::atomic<bool> stopping_flag{false};
  /// Connections refused over connections_max and not yet logged: one line a second says
  /// how many, so that a flood does not flood the log too.
  std::size_t refused_unlogged = 0;
  asio::steady_timer refused_log_timer;

  struct atomic_counters {
    std::atomic<std::uint64_t> frames_sent{0}, frames_received{0}, bytes_sent{0}, bytes_received{0},
        writes{0}, connections_accepted{0}, connections_refused{0}, handshakes_completed{0},
        handshakes_refused{0}, frames_malformed{0}, frames_oversized{0}, messages_overloaded{0},
        messages_unreachable{0}, nodes_lost{0};
  } count;

  // ---- life and the node table (transport.cpp) ----

  result<std::uint16_t> start();
  void stop();
  void log(const std::string& line) const;
  [[nodiscard]] peer* find_peer(std::uint32_t node) const noexcept;
  asio::awaitable<void> accept_loop();
  /// Counts a connection refused over connections_max, for the next log line about them.
  void note_refused();
  asio::awaitable<void> detector_loop();
  /// The failure detector gave up on `p`: what waits for it fails, its watchers learn.
  void lose(peer& p);

  // ---- the outbound channel (outbound_channel.cpp) ----

  result<void> route(envelope&& e);
  /// route() on the transport's own thread, from a shard it hosts: no lock, and the
  /// message is encoded now, while its words are in cache, rather than queued.
  result<void> route_here(peer& p, envelope&& e);
  /// Encodes `e` into the last chunk of `p`, which holds `queued` frames in all; a chunk
  /// that fills is written at once if it is the oldest and the writer is not writing.
  void encode_here(peer& p, envelope&& e, std::size_t queued);
  /// Appends a heartbeat to `words` if one is due for `p` at `now`; the frames appended.
  std::size_t heartbeat_if_due(peer& p, frame_words& words, time_point now) const;
  /// Counts and drops a message route() cannot take.
  result<void> refuse_message(envelope& e, errc why);
  /// Writes `words` (`frames` frames) at once, while the writer is not writing; what the
  /// socket does not take is left to the writer, which sends it first.
  void write_now(connection& c, const frame_words& words, std::size_t frames);
  /// Writes `words`, waiting for the socket if it must; false when the connection closed.
  asio::awaitable<bool> write_words(connection& c, const frame_words& words, std::size_t frames);
  /// Sends what route() queued, all that is there in one write, and a heartbeat every
  /// interval; returns when the connection closes.
  asio::awaitable<void> write_loop(std::shared_ptr<connection> c);
  /// Connects to `p` (resolving its host each time), hands the connection to the
  /// handshake, and after it closes tries again after a backoff; until the transport stops.
  asio::awaitable<void> connect_loop(peer& p);

  // ---- connection I/O (connection_io.cpp) ----

  /// The established connection of `p`: replaces an older one, and runs until it closes.
  asio::awaitable<void> run(peer& p, std::shared_ptr<connection> c);
  /// Receives what the socket has into the decoder; false when the connection closed.
  asio::awaitable<bool> receive_more(connection& c);
  /// The next frame already received on `c`, read by its decoder; nothing when no whole
  /// frame has arrived yet. An error when the frame breaks the protocol: `c` is then
  /// closed, with the reason logged.
  result<std::optional<received_frame>> take_frame(connection& c);
  /// The next frame of `c`, waiting for it; nothing once the connection closed.
  asio::awaitable<std::optional<received_frame>> next_frame(connection& c);
  /// Counts a frame the decoder refused (`why`) and closes its connection.
  void refuse_frame(connection& c, std::error_code why);
  /// Counts a frame that breaks the protocol and closes its connection.
  void malformed(connection& c, const std::string& reason);
  asio::awaitable<void> read_loop(std::shared_ptr<connection> c);
  /// One frame on an established connection; false when it closed the connection.
  bool handle(connection& c, received_frame& f);
  /// A received message; false when it closed the connection.
  bool deliver(connection& c, const wire_header& h, result<envelope> e);
  void close(connection& c, const std::string& reason);

  // ---- the handshake session (handshake_session.cpp) ----

  asio::awaitable<bool> send_frame(connection& c, capnp::MessageBuilder& b);
  /// Says why, then closes: a refused peer learns the reason too.
  asio::awaitable<void> refuse(connection& c, const std::string& reason);
  /// Closes the connection if its handshake is not over by the deadline.
  void arm_handshake_deadline(const std::shared_ptr<connection>& c,
                              const std::shared_ptr<asio::steady_timer>& deadline);
  /// The connecting side: true once `c` is an authenticated connection to `p`.
  asio::awaitable<bool> initiate(peer& p, std::shared_ptr<connection> c);
  /// The accepting side: authenticates `c`, then runs it as its peer's connection.
  asio::awaitable<void> respond(std::shared_ptr<connection> c);
};

}  // namespace coact::net::tcp
