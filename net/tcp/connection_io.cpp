// A connection's I/O once it is open: every frame a peer sends is read through its
// decoder's one decode path, messages go to the actor system, and any
// breach of the protocol closes that connection only, with a logged reason.
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <capnp/message.h>
#include <kj/exception.h>

#include <mutex>
#include <string>

#include "transport_impl.hpp"

namespace coact::net::tcp {

asio::awaitable<void> transport::impl::run(peer& p, std::shared_ptr<connection> c) {
  // Batching is this transport's own: Nagle's algorithm would only add latency.
  std::error_code ignored;
  c->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (p.conn) close(*p.conn, "replaced by a new connection");
  c->owner = &p;
  c->who = "node " + p.address.name;
  p.conn = c;
  const peer_state before = p.state;
  p.state = peer_state::up;
  {
    std::lock_guard lock{p.mutex};
    p.down = false;
  }
  if (before == peer_state::down) {
    log("node " + p.address.name + " rejoined (it was down)");
  } else {
    log("node " + p.address.name + (p.was_up ? " is up again" : " is up"));
  }
  p.was_up = true;
  p.detector.reset();
  p.detector.heartbeat(steady_now());
  count.handshakes_completed.fetch_add(1, std::memory_order_relaxed);
  asio::co_spawn(io, read_loop(c), asio::detached);
  co_await write_loop(c);
  if (p.conn == c) {
    p.conn.reset();
    if (p.state == peer_state::up) p.state = peer_state::connecting;
  }
}

asio::awaitable<bool> transport::impl::receive_more(connection& c) {
  const auto room = c.decoder.prepare();
  auto [ec, n] =
      co_await c.socket.async_read_some(asio::buffer(room.data(), room.size()), as_tuple);
  if (ec) {
    close(c, ec == asio::error::eof ? "closed by the peer" : "read failed: " + ec.message());
    co_return false;
  }
  count.bytes_received.fetch_add(n, std::memory_order_relaxed);
  c.decoder.commit(n);
  co_return true;
}

result<std::optional<received_frame>> transport::impl::take_frame(connection& c) {
  auto words = c.decoder.next();
  if (!words) {
    refuse_frame(c, words.error());
    return words.error();
  }
  if (words.value().empty()) return std::optional<received_frame>{};
  count.frames_received.fetch_add(1, std::memory_order_relaxed);
  auto frame = c.decoder.read(words.value());
  if (!frame) {
    malformed(c, "malformed frame: " + frame.error().message());
    return frame.error();
  }
  return std::optional<received_frame>{std::move(frame).value()};
}

asio::awaitable<std::optional<received_frame>> transport::impl::next_frame(connection& c) {
  for (;;) {
    auto frame = take_frame(c);
    if (!frame) co_return std::nullopt;
    if (frame.value()) co_return std::move(frame).value();
    if (!co_await receive_more(c)) co_return std::nullopt;
  }
}

void transport::impl::refuse_frame(connection& c, std::error_code why) {
  if (why == errc::message_too_large) {
    count.frames_oversized.fetch_add(1, std::memory_order_relaxed);
    close(c,
          "frame over the limit of " + std::to_string(options.limits.frame_bytes_max) + " bytes");
  } else {
    malformed(c, "malformed frame: " + why.message());
  }
}

void transport::impl::malformed(connection& c, const std::string& reason) {
  count.frames_malformed.fetch_add(1, std::memory_order_relaxed);
  close(c, reason);
}

asio::awaitable<void> transport::impl::read_loop(std::shared_ptr<connection> c) {
  auto keep = shared_from_this();
  while (!c->closed) {
    // Every whole frame received so far, each read in place, then more bytes.
    for (;;) {
      auto frame = take_frame(*c);
      if (!frame) co_return;
      if (!frame.value()) break;
      if (!handle(*c, *frame.value())) co_return;
    }
    if (!co_await receive_more(*c)) co_return;
  }
}

bool transport::impl::handle(connection& c, received_frame& f) {
  peer& p = *c.owner;
  try {
    switch (f.kind) {
      case wire::Frame::MESSAGE:
        return deliver(c, f.header, std::move(f.message));
      case wire::Frame::HEARTBEAT:
        p.detector.heartbeat(steady_now());
        return true;
      case wire::Frame::GOODBYE:
        close(c, "the peer said goodbye: " + std::string{f.root().getGoodbye().getReason().cStr()});
        return false;
      case wire::Frame::HELLO:
      case wire::Frame::AUTH:
        malformed(c, "a handshake frame on an established connection");
        return false;
    }
  } catch (const kj::Exception& e) {
    malformed(c, "malformed frame: " + std::string{e.getDescription().cStr()});
    return false;
  }
  malformed(c, "a frame of unknown kind " + std::to_string(static_cast<unsigned>(f.kind)));
  return false;
}

bool transport::impl::deliver(connection& c, const wire_header& h, result<envelope> e) {
  if (h.target.node != options.node_id || h.sender.node != c.owner->address.node_id) {
    malformed(c, "a message addressed from or to the wrong node");
    return false;
  }
  if (!e) {
    malformed(c, "a message with a bad header or payload: " + e.error().message());
    return false;
  }
  (void)system->receive_remote(std::move(e).value());
  return true;
}

void transport::impl::close(connection& c, const std::string& reason) {
  if (c.closed) return;
  c.closed = true;
  if (!stopping) log("connection with " + c.who + " closed: " + reason);
  std::error_code ignored;
  c.socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  c.socket.close(ignored);
  if (c.owner != nullptr) c.owner->wake->cancel();
  std::erase_if(connections, [&](const auto& held) { return held.get() == &c; });
}

}  // namespace coact::net::tcp
