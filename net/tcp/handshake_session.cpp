// The handshake on the wire: the I/O around handshake_initiator and handshake_responder
// (which hold no sockets), the deadline, and the refusals each side logs and tells.
#include <asio/co_spawn.hpp>
#include <capnp/message.h>
#include <kj/exception.h>

#include <string>

#include "transport_impl.hpp"

namespace coact::net::tcp {

asio::awaitable<bool> transport::impl::send_frame(connection& c, capnp::MessageBuilder& b) {
  frame_words words;
  append_frame(b, words);
  co_return co_await write_words(c, words, 1);
}

asio::awaitable<void> transport::impl::refuse(connection& c, const std::string& reason) {
  count.handshakes_refused.fetch_add(1, std::memory_order_relaxed);
  capnp::MallocMessageBuilder b{32};
  b.initRoot<wire::Frame>().initGoodbye().setReason(reason);
  (void)co_await send_frame(c, b);
  close(c, "handshake refused: " + reason);
}

void transport::impl::arm_handshake_deadline(const std::shared_ptr<connection>& c,
                                             const std::shared_ptr<asio::steady_timer>& deadline) {
  deadline->expires_after(options.limits.handshake_timeout);
  deadline->async_wait([weak = weak_from_this(), c](std::error_code ec) {
    auto self_ = weak.lock();
    if (!ec && self_ && c->owner == nullptr) self_->close(*c, "handshake deadline passed");
  });
}

asio::awaitable<bool> transport::impl::initiate(peer& p, std::shared_ptr<connection> c) {
  auto deadline = std::make_shared<asio::steady_timer>(io);
  arm_handshake_deadline(c, deadline);
  handshake_initiator hs{self, secret};
  capnp::MallocMessageBuilder hello{64};
  hs.write_hello(hello.initRoot<wire::Frame>().initHello());
  if (!co_await send_frame(*c, hello)) co_return false;
  auto reply = co_await next_frame(*c);
  if (!reply) co_return false;
  try {
    const auto kind = reply->kind;
    if (kind == wire::Frame::GOODBYE) {
      count.handshakes_refused.fetch_add(1, std::memory_order_relaxed);
      close(*c,
            "refused by the peer: " + std::string{reply->root().getGoodbye().getReason().cStr()});
      co_return false;
    }
    if (kind != wire::Frame::HELLO) {
      co_await refuse(*c, "expected a hello");
      co_return false;
    }
    capnp::MallocMessageBuilder auth{32};
    refusal why = refusal::none;
    auto peer_id =
        hs.on_hello(reply->root().getHello(), auth.initRoot<wire::Frame>().initAuth(), &why);
    if (!peer_id) {
      co_await refuse(*c, to_string(why));
      co_return false;
    }
    if (peer_id.value().node_id != p.address.node_id || peer_id.value().node != p.address.name) {
      co_await refuse(*c, "expected node " + p.address.name + ", found " + peer_id.value().node);
      co_return false;
    }
    if (!co_await send_frame(*c, auth)) co_return false;
  } catch (const kj::Exception& e) {
    malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
    co_return false;
  }
  deadline->cancel();
  co_return !c->closed;
}

asio::awaitable<void> transport::impl::respond(std::shared_ptr<connection> c) {
  auto keep = shared_from_this();
  auto deadline = std::make_shared<asio::steady_timer>(io);
  arm_handshake_deadline(c, deadline);
  handshake_responder hs{self, secret};
  auto hello = co_await next_frame(*c);
  if (!hello) co_return;
  peer* p = nullptr;
  try {
    if (hello->kind != wire::Frame::HELLO) {
      co_await refuse(*c, "expected a hello");
      co_return;
    }
    const auto h = hello->root().getHello();
    p = find_peer(h.getNodeId());
    if (p == nullptr || p->we_connect || p->address.name != h.getNode().cStr()) {
      co_await refuse(*c, "unknown node " + std::string{h.getNode().cStr()});
      co_return;
    }
    // Who it claims to be, for the log lines until the handshake proves it.
    c->who = "node " + p->address.name + " (unauthenticated)";
    capnp::MallocMessageBuilder reply{64};
    refusal why = refusal::none;
    if (!hs.on_hello(h, reply.initRoot<wire::Frame>().initHello(), &why)) {
      co_await refuse(*c, to_string(why));
      co_return;
    }
    if (!co_await send_frame(*c, reply)) co_return;
  } catch (const kj::Exception& e) {
    malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
    co_return;
  }
  auto auth = co_await next_frame(*c);
  if (!auth) co_return;
  try {
    if (auth->kind == wire::Frame::GOODBYE) {
      // The initiator checks this side's proof before it sends its own: with another
      // secret, its Goodbye (saying so) comes where the Auth would.
      count.handshakes_refused.fetch_add(1, std::memory_order_relaxed);
      close(*c,
            "refused by the peer: " + std::string{auth->root().getGoodbye().getReason().cStr()});
      co_return;
    }
    refusal why = refusal::out_of_order;
    if (auth->kind != wire::Frame::AUTH || !hs.on_auth(auth->root().getAuth(), &why)) {
      co_await refuse(*c, to_string(why));
      co_return;
    }
  } catch (const kj::Exception& e) {
    malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
    co_return;
  }
  deadline->cancel();
  if (c->closed) co_return;
  co_await run(*p, c);
}

}  // namespace coact::net::tcp
