#pragma once

#include <asio/ip/tcp.hpp>

#include <cstddef>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "coact/net/tcp/frame_codec.hpp"

namespace coact::net::tcp {

struct peer;

/// One TCP connection, handshaking or established. Owned by shared_ptr: the transport's
/// list of open connections, its peer, and the coroutines reading and writing it each hold
/// one, so that it outlives whichever of them ends last. The transport's thread only.
struct connection {
  connection(asio::ip::tcp::socket s, std::size_t frame_bytes_max)
      : socket(std::move(s)), decoder(frame_bytes_max) {
    // Writes go out at once for what fits and wait only for the rest (write_words).
    std::error_code ignored;
    socket.non_blocking(true, ignored);
  }

  asio::ip::tcp::socket socket;
  frame_decoder decoder;
  /// The peer it connects, once the handshake has named it; null before.
  peer* owner = nullptr;
  bool closed = false;
  /// Who it is in log lines.
  std::string who = "an unidentified peer";
  /// What a direct send could not write at once: the writer sends it before anything else.
  std::vector<std::byte> unsent;
  /// The writer waits for the socket to take a write: nothing else may write meanwhile.
  bool writing = false;
};

}  // namespace coact::net::tcp
