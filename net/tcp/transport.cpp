// The transport's life (start, stop), its node table, failure detection and its log; the
// other parts are listed in transport_impl.hpp.
#include "coact/net/tcp/transport.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "coact/net/tcp/log_line.hpp"
#include "transport_impl.hpp"

namespace coact::net::tcp {
namespace {

/// How often at most a line says how many connections were refused over connections_max.
constexpr auto refused_log_interval = std::chrono::seconds{1};

}  // namespace

transport::impl::impl(asio::io_context& io_context, transport_options o, cluster_secret s)
    : io(io_context), options(std::move(o)), secret(std::move(s)), acceptor(io_context),
      detector_timer(io_context), self{options.cluster, options.node_name, options.node_id},
      refused_log_timer(io_context) {
  std::random_device entropy;
  for (const peer_address& a : options.peers) {
    auto p = std::make_unique<peer>(a, options.node_id < a.node_id, options.limits,
                                    (std::uint64_t{entropy()} << 32) | entropy());
    p->wake.emplace(io_context);
    p->pause.emplace(io_context);
    peers.push_back(std::move(p));
  }
}

void transport::impl::log(const std::string& line) const {
  if (options.log) {
    options.log(line);
  } else {
    log_line(stderr, "coact-net", options.node_name, line);
  }
}

peer* transport::impl::find_peer(std::uint32_t node) const noexcept {
  for (const auto& p : peers) {
    if (p->address.node_id == node) return p.get();
  }
  return nullptr;
}

result<std::uint16_t> transport::impl::start() {
  if (system == nullptr) return errc::invalid_argument;
  const std::string where = options.listen_host + ":" + std::to_string(options.listen_port);
  // A host name (as a topology may give) is resolved here, once: listening is set up
  // before start() returns, so that its caller learns at once whether the node can run.
  asio::ip::tcp::resolver resolver{io};
  std::error_code ec;
  const auto endpoints = resolver.resolve(
      options.listen_host, std::to_string(options.listen_port),
      asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, ec);
  if (ec) {
    log("cannot listen on " + where + ": cannot resolve " + options.listen_host + ": " +
        ec.message());
    return errc::invalid_argument;
  }
  // The first address that can be bound: a name may resolve to an IPv6 address first on a
  // host where IPv6 is off.
  ec = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    std::error_code ignored;
    acceptor.close(ignored);
    const asio::ip::tcp::endpoint at = entry.endpoint();
    ec.clear();
    acceptor.open(at.protocol(), ec);
    if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(at, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) break;
  }
  if (ec) {
    log("cannot listen on " + where + ": " + ec.message());
    return errc::invalid_argument;
  }
  const auto port = acceptor.local_endpoint().port();
  asio::post(io, [self_ = shared_from_this()] {
    const time_point now = steady_now();
    for (auto& p : self_->peers) {
      // Counts from now: a peer that never answers is declared down like a lost one.
      p->detector.heartbeat(now);
      if (p->we_connect) asio::co_spawn(self_->io, self_->connect_loop(*p), asio::detached);
    }
    asio::co_spawn(self_->io, self_->accept_loop(), asio::detached);
    asio::co_spawn(self_->io, self_->detector_loop(), asio::detached);
  });
  return port;
}

void transport::impl::stop() {
  std::promise<void> done;
  stopping_flag.store(true, std::memory_order_release);
  asio::post(io, [self_ = shared_from_this(), &done] {
    self_->stopping = true;
    std::error_code ignored;
    self_->acceptor.close(ignored);
    self_->detector_timer.cancel();
    self_->refused_log_timer.cancel();
    for (auto& p : self_->peers) {
      p->wake->cancel();
      p->pause->cancel();
      (void)p->drop_encoded();
      std::lock_guard lock{p->mutex};
      for (envelope& e : p->outbound) e.discard();
      p->outbound.clear();
      p->outbound_count.store(0, std::memory_order_relaxed);
    }
    auto open = self_->connections;
    for (auto& c : open) self_->close(*c, "transport stopped");
    done.set_value();
  });
  done.get_future().wait();
}

asio::awaitable<void> transport::impl::accept_loop() {
  auto keep = shared_from_this();
  while (!stopping) {
    auto [ec, s] = co_await acceptor.async_accept(as_tuple);
    if (ec) {
      if (stopping) co_return;
      continue;
    }
    count.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    if (connections.size() >= options.limits.connections_max) {
      count.connections_refused.fetch_add(1, std::memory_order_relaxed);
      note_refused();
      std::error_code ignored;
      s.close(ignored);
      continue;
    }
    auto c = std::make_shared<connection>(std::move(s), options.limits.frame_bytes_max);
    connections.push_back(c);
    asio::co_spawn(io, respond(c), asio::detached);
  }
}

void transport::impl::note_refused() {
  // The first refusal starts a window; its line, at the window's end, counts them all.
  if (refused_unlogged++ != 0) return;
  refused_log_timer.expires_after(refused_log_interval);
  refused_log_timer.async_wait([weak = weak_from_this()](std::error_code ec) {
    auto self_ = weak.lock();
    if (ec || !self_ || self_->stopping) return;
    self_->log("refused " + std::to_string(std::exchange(self_->refused_unlogged, 0)) +
               " connection(s) in the last second: at the limit of " +
               std::to_string(self_->options.limits.connections_max) + " connections");
  });
}

asio::awaitable<void> transport::impl::detector_loop() {
  auto keep = shared_from_this();
  while (!stopping) {
    detector_timer.expires_after(options.limits.heartbeat_interval);
    (void)co_await detector_timer.async_wait(as_tuple);
    if (stopping) co_return;
    const time_point now = steady_now();
    for (auto& p : peers) {
      if (p->state != peer_state::down && !p->detector.available(now)) lose(*p);
    }
  }
}

void transport::impl::lose(peer& p) {
  count.nodes_lost.fetch_add(1, std::memory_order_relaxed);
  log("node " + p.address.name + " is down (no heartbeat)");
  p.state = peer_state::down;
  std::deque<envelope> dropped;
  {
    std::lock_guard lock{p.mutex};
    p.down = true;
    dropped.swap(p.outbound);
    p.outbound_count.store(0, std::memory_order_relaxed);
  }
  count.messages_unreachable.fetch_add(dropped.size() + p.drop_encoded(),
                                       std::memory_order_relaxed);
  for (envelope& e : dropped) e.discard();
  system->node_lost(p.address.node_id, "no heartbeat");
  if (p.conn) close(*p.conn, "node marked down");
}

transport::transport(asio::io_context& io, transport_options options, cluster_secret secret)
    : impl_(std::make_shared<impl>(io, std::move(options), std::move(secret))) {}

transport::~transport() = default;

void transport::attach(actor_system& system) { impl_->system = &system; }

result<std::uint16_t> transport::start() { return impl_->start(); }

void transport::stop() { impl_->stop(); }

result<void> transport::route(envelope&& e) { return impl_->route(std::move(e)); }

transport_counters transport::counters() const {
  constexpr auto r = std::memory_order_relaxed;
  const auto& c = impl_->count;
  return {c.frames_sent.load(r),
          c.frames_received.load(r),
          c.bytes_sent.load(r),
          c.bytes_received.load(r),
          c.writes.load(r),
          c.connections_accepted.load(r),
          c.connections_refused.load(r),
          c.handshakes_completed.load(r),
          c.handshakes_refused.load(r),
          c.frames_malformed.load(r),
          c.frames_oversized.load(r),
          c.messages_overloaded.load(r),
          c.messages_unreachable.load(r),
          c.nodes_lost.load(r)};
}

peer_state transport::state(std::uint32_t node) const {
  // Read from other threads for tests and metrics: a snapshot, possibly stale.
  std::promise<peer_state> answer;
  asio::post(impl_->io, [this, node, &answer] {
    const peer* p = impl_->find_peer(node);
    answer.set_value(p == nullptr ? peer_state::down : p->state);
  });
  return answer.get_future().get();
}

}  // namespace coact::net::tcp
