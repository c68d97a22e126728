// The TCP transport between two nodes in one process, on 127.0.0.1: tell, ask and named
// lookup across nodes; a wrong secret is refused; a lost node is detected and its asks and
// watchers are told; a full queue pushes back, also for shards on the transport's own
// thread, whose floods arrive in order; and every kind of bad input from a raw socket
// closes only its own connection while the node keeps serving.
#include "coact/net/tcp/transport.hpp"

#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../runtime/test_support.hpp"
#include "coact/net/tcp/frame_codec.hpp"
#include "coact/net/tcp/handshake.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/registry.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;
using coact::actor_ref;
using coact::errc;
namespace tcp = coact::net::tcp;
namespace wire = coact::net::wire;

namespace {

coact::net::tcp::cluster_secret secret_of(std::string_view text) {
  return tcp::cluster_secret::from_bytes(std::as_bytes(std::span{text.data(), text.size()}));
}

constexpr std::string_view good_secret = "a secret of the test cluster";

/// Fast enough for tests: heartbeats every 20 ms, a peer is down after ~0.5 s of silence;
/// the tolerated pause keeps a stall of a loaded machine from taking a live peer for lost.
tcp::transport_limits test_limits() {
  tcp::transport_limits l;
  l.heartbeat_interval = 20ms;
  l.handshake_timeout = 300ms;
  l.failure_detector.first_heartbeat_estimate = 100ms;
  l.failure_detector.min_stddev = 20ms;
  l.failure_detector.threshold = 5;
  l.failure_detector.acceptable_pause = 300ms;
  l.reconnect.initial = 10ms;
  l.reconnect.max = 50ms;
  return l;
}

/// Where a test node's shard runs: a thread of its own, or the transport's thread (as
/// coact-node runs shard 0, so that its messages are written without a thread hop).
enum class shard_thread { own, transport };

/// What a node logged, from its transport's thread, for the test's thread to read.
struct captured_log {
  std::mutex mutex;
  std::vector<std::string> lines;

  /// The lines that contain `text`.
  std::vector<std::string> with(std::string_view text) {
    std::lock_guard lock{mutex};
    std::vector<std::string> found;
    for (const auto& l : lines) {
      if (l.find(text) != std::string::npos) found.push_back(l);
    }
    return found;
  }
};

/// Where a node listens, and where it finds its peer.
struct test_place {
  std::string host = "127.0.0.1";
  std::uint16_t listen_port = 0;
};

/// One node: an actor system, and its transport on a thread of its own.
struct test_node {
  test_node(std::uint32_t id, std::uint16_t peer_port, std::string_view secret,
            tcp::transport_limits limits = test_limits(), shard_thread where = shard_thread::own,
            const test_place& place = {})
      : id_(id), where_(where),
        transport_(std::make_shared<tcp::transport>(
            io_, options(id, peer_port, limits, place, log_), secret_of(secret))),
        system_(where == shard_thread::own
                    ? coact::actor_system{{.shard_count = 1, .node = id, .router = transport_}}
                    : coact::actor_system{coact::hosted_on{{&io_}},
                                          {.node = id, .router = transport_}}) {
    transport_->attach(system_);
    port_ = transport_->start().value();
    thread_ = std::thread{[this] { io_.run(); }};
  }
  test_node(const test_node&) = delete;
  test_node& operator=(const test_node&) = delete;
  ~test_node() { stop(); }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    // A hosted shard stops first, while the transport's thread still runs it.
    if (where_ == shard_thread::transport) system_.shutdown();
    transport_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  static tcp::transport_options options(std::uint32_t id, std::uint16_t peer_port,
                                        tcp::transport_limits limits, const test_place& place,
                                        const std::shared_ptr<captured_log>& log) {
    tcp::transport_options o;
    o.listen_host = place.host;
    o.listen_port = place.listen_port;
    o.cluster = "test";
    o.node_name = "n" + std::to_string(id);
    o.node_id = id;
    const std::uint32_t other = 1 - id;
    o.peers.push_back({other, "n" + std::to_string(other), place.host, peer_port});
    o.limits = limits;
    o.log = [log](std::string_view line) {
      std::lock_guard lock{log->mutex};
      log->lines.emplace_back(line);
    };
    return o;
  }

  std::uint32_t id_;
  shard_thread where_;
  std::shared_ptr<captured_log> log_ = std::make_shared<captured_log>();
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<tcp::transport> transport_;
  coact::actor_system system_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  bool stopped_ = false;
};

/// Node 1 listens; node 0 connects to it (the smaller id connects).
struct pair_of_nodes {
  explicit pair_of_nodes(std::string_view secret0 = good_secret,
                         shard_thread where = shard_thread::own)
      : server(1, 0, good_secret, test_limits(), where),
        client(0, server.port_, secret0, test_limits(), where) {}
  test_node server;
  test_node client;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

coact::task<void> lookup_then_ask(coact::actor_context& self, std::uint32_t node, std::string name,
                                  slot<std::string> out) {
  auto found = co_await coact::lookup(self, node, std::move(name), 5s);
  if (found.has_error() && found.error() == coact::errc::name_unbound) {
    out->set_value("not found");
    co_return;
  }
  if (!found) {
    out->set_value("lookup: " + found.error().message());
    co_return;
  }
  auto pong = co_await self.ask<coact::test::Pong>(found.value(), ping(41), 5s);
  out->set_value(pong ? std::to_string(pong.value().get<coact::test::Pong>().getN())
                      : "ask: " + pong.error().message());
}

coact::task<void> ask_once(coact::actor_context& self, actor_ref target, coact::duration timeout,
                           slot<std::error_code> out) {
  auto r = co_await self.ask<coact::test::Pong>(target, ping(1), timeout);
  out->set_value(r ? std::error_code{} : r.error());
}

/// Asks `target` once from an actor of `from` and waits for the outcome: no error, or the
/// ask's.
std::error_code ask_from(coact::actor_system& from, actor_ref target, coact::duration timeout) {
  auto out = make_slot<std::error_code>();
  auto done = out->get_future();
  REQUIRE(from.spawn(&ask_once, target, timeout, out));
  return await(done);
}

coact::task<void> watch_one(coact::actor_context& self, actor_ref target, slot<std::int32_t> out) {
  self.monitor(target);
  auto down = co_await self.receive<coact::sys::Down>(10s);
  out->set_value(down ? down.value().get<coact::sys::Down>().getReason().getCode() : -1);
}

/// Counts the Add messages that arrive in order (seq 0, 1, ...); answers Get with the count.
coact::task<void> in_order(coact::actor_context& self) {
  std::int64_t count = 0;
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (e.is<coact::test::Add>()) {
      if (e.get<coact::test::Add>().getSeq() == static_cast<std::uint64_t>(count)) ++count;
    } else {
      coact::message<coact::test::Total> t;
      t->setValue(count);
      self.reply(e, std::move(t));
    }
  }
}

/// Tells `target` `count` Adds numbered in order, `burst` per turn, then asks for the
/// count of those that arrived in order (-1 if a tell failed or the ask did).
coact::task<void> flood(coact::actor_context& self, actor_ref target, std::int64_t count,
                        std::int64_t burst, slot<std::int64_t> out) {
  for (std::int64_t sent = 0; sent < count;) {
    for (std::int64_t i = 0; i < burst && sent < count; ++i, ++sent) {
      if (!self.try_tell(target, add(1, 0, static_cast<std::uint64_t>(sent)))) {
        out->set_value(-1);
        co_return;
      }
    }
    co_await self.yield();
  }
  auto total = co_await self.ask<coact::test::Total>(target, empty<coact::test::Get>(), 10s);
  out->set_value(total ? total.value().get<coact::test::Total>().getValue() : -1);
}

/// Tells `target` `count` Pings in one turn and sets each result.
coact::task<void> tell_many(coact::actor_context& self, actor_ref target, int count,
                            slot<std::vector<std::error_code>> out) {
  std::vector<std::error_code> results;
  for (int i = 0; i < count; ++i) {
    const auto told = self.try_tell(target, ping());
    results.push_back(told ? std::error_code{} : told.error());
  }
  out->set_value(std::move(results));
  co_return;
}

/// A raw socket to a node's port, for sending it what no transport would.
struct raw_peer {
  explicit raw_peer(std::uint16_t port) : socket(io) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(const void* data, std::size_t bytes) { asio::write(socket, asio::buffer(data, bytes)); }
  void send(capnp::MessageBuilder& frame) {
    tcp::frame_words words;
    tcp::append_frame(frame, words);
    send(words.data(), words.size() * sizeof(capnp::word));
  }
  /// The next frame the node sends, as a reader over `decoder`'s buffer.
  std::unique_ptr<capnp::FlatArrayMessageReader> read_frame() {
    for (;;) {
      auto frame = decoder.next();
      REQUIRE(frame);
      if (!frame.value().empty()) {
        return std::make_unique<capnp::FlatArrayMessageReader>(
            kj::arrayPtr(frame.value().data(), frame.value().size()));
      }
      const auto room = decoder.prepare();
      decoder.commit(socket.read_some(asio::buffer(room.data(), room.size())));
    }
  }
  /// Completes the handshake as node `name` (`id`) with the cluster's secret.
  void handshake_as(const char* name, std::uint32_t id) {
    const auto secret = secret_of(good_secret);
    tcp::handshake_initiator hs{{"test", name, id}, secret};
    capnp::MallocMessageBuilder hello;
    hs.write_hello(hello.initRoot<wire::Frame>().initHello());
    send(hello);
    auto reply = read_frame();
    capnp::MallocMessageBuilder auth;
    REQUIRE(hs.on_hello(reply->getRoot<wire::Frame>().getHello(),
                        auth.initRoot<wire::Frame>().initAuth()));
    send(auth);
  }
  /// True once the node has closed the connection (reads end), within the limit.
  bool closed_by_peer() {
    socket.non_blocking(false);
    const auto end = std::chrono::steady_clock::now() + 5s;
    std::array<char, 4096> sink{};
    while (std::chrono::steady_clock::now() < end) {
      std::error_code ec;
      socket.read_some(asio::buffer(sink), ec);
      if (ec) return true;
    }
    return false;
  }
  asio::io_context io;
  asio::ip::tcp::socket socket;
  tcp::frame_decoder decoder{1u << 20};
};

}  // namespace

// Proves tell/ask and named lookup work across two nodes as they do locally.
TEST_CASE("an actor finds and asks an actor on another node", "[net]") {
  pair_of_nodes nodes;
  auto echo = nodes.server.system_.spawn(&responder);
  REQUIRE(echo);
  nodes.server.system_.register_name("echo", echo.value());
  auto out = make_slot<std::string>();
  auto answer = out->get_future();
  REQUIRE(nodes.client.system_.spawn(&lookup_then_ask, 1u, std::string{"echo"}, out));
  CHECK(await(answer) == "42");
  CHECK(nodes.client.transport_->state(1) == tcp::peer_state::up);

  auto missing = make_slot<std::string>();
  auto none = missing->get_future();
  REQUIRE(nodes.client.system_.spawn(&lookup_then_ask, 1u, std::string{"nobody"}, missing));
  CHECK(await(none) == "not found");
  CHECK(nodes.server.transport_->counters().frames_malformed == 0);
}

// Proves a node with another secret is refused and never gets a message through.
TEST_CASE("a peer with the wrong secret is refused", "[net]") {
  pair_of_nodes nodes{"not the cluster's secret"};
  CHECK(eventually([&] { return nodes.server.transport_->counters().handshakes_refused > 0; }));
  CHECK(nodes.server.transport_->counters().handshakes_completed == 0);
  CHECK(nodes.client.transport_->state(1) != tcp::peer_state::up);
  // Regression: the responder logged "handshake frame out of order" when the initiator,
  // having found its proof wrong, said goodbye instead of sending its own.
  CHECK(
      eventually([&] { return !nodes.client.log_->with("proof of the cluster secret").empty(); }));
  CHECK(
      eventually([&] { return !nodes.server.log_->with("proof of the cluster secret").empty(); }));
  CHECK(nodes.server.log_->with("out of order").empty());
}

// Regression: a node whose address is a host name (as a topology may give) passed the
// check of its configuration, then could not listen. localhost names 127.0.0.1 here.
TEST_CASE("nodes listen and connect by host name", "[net]") {
  const test_place by_name{"localhost"};
  test_node server{1, 0, good_secret, test_limits(), shard_thread::own, by_name};
  test_node client{0, server.port_, good_secret, test_limits(), shard_thread::own, by_name};
  auto echo = server.system_.spawn(&responder).value();
  CHECK_FALSE(ask_from(client.system_, echo, 5s));
}

// Proves a host that does not resolve fails start() with a line naming it and why.
TEST_CASE("a listening host that does not resolve is refused with a reason", "[net]") {
  asio::io_context io;
  auto log = std::make_shared<captured_log>();
  auto t = std::make_shared<tcp::transport>(
      io, test_node::options(0, 1, test_limits(), {"no-such-host.invalid"}, log),
      secret_of(good_secret));
  coact::actor_system system{{.shard_count = 1, .node = 0, .router = t}};
  t->attach(system);
  CHECK(t->start().error() == errc::invalid_argument);
  const auto lines = log->with("no-such-host.invalid");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("cannot resolve") != std::string::npos);
}

// Proves the log says when a peer comes up, goes down, and rejoins.
TEST_CASE("a peer's coming up, going down and rejoining are logged", "[net]") {
  auto server = std::make_unique<test_node>(1, 0, good_secret);
  const std::uint16_t port = server->port_;
  test_node client{0, port, good_secret};
  CHECK(eventually([&] { return client.log_->with("node n1 is up").size() == 1; }));
  server.reset();
  CHECK(eventually([&] { return client.log_->with("node n1 is down").size() == 1; }));
  test_node again{1, 0, good_secret, test_limits(), shard_thread::own, {"127.0.0.1", port}};
  CHECK(eventually([&] { return client.log_->with("node n1 rejoined").size() == 1; }));
}

// Regression: a flood of connections over the limit logged one line per connection (138
// for one flood); now one line a second says how many.
TEST_CASE("connections refused over the limit are logged once a second, counted", "[net]") {
  auto limits = test_limits();
  limits.connections_max = 1;
  test_node server{1, 0, good_secret, limits};
  test_node client{0, server.port_, good_secret};  // its connection takes the one place
  REQUIRE(eventually([&] { return client.transport_->state(1) == tcp::peer_state::up; }));
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> flood;
  for (int i = 0; i < 40; ++i) {
    flood.emplace_back(io).connect({asio::ip::make_address("127.0.0.1"), server.port_});
  }
  REQUIRE(eventually([&] { return server.transport_->counters().connections_refused == 40; }));
  std::this_thread::sleep_for(1200ms);
  const auto lines = server.log_->with("refused");
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.size() <= 2);
  std::uint64_t counted = 0;
  for (const auto& l : lines) counted += std::stoull(l.substr(l.find("refused ") + 8));
  CHECK(counted == 40);
}

// Proves a lost node is detected: pending asks fail with node_unreachable, watchers of
// its actors get a Down, and later sends fail fast.
TEST_CASE("a lost node fails its asks and tells its watchers", "[net]") {
  pair_of_nodes nodes;
  auto echo = nodes.server.system_.spawn(&responder).value();
  // A first round trip proves the connection is up before the node goes.
  REQUIRE_FALSE(ask_from(nodes.client.system_, echo, 5s));

  auto watched = make_slot<std::int32_t>();
  auto down = watched->get_future();
  REQUIRE(nodes.client.system_.spawn(&watch_one, echo, watched));
  // An ask to a responder that never answers (it was told to quit) keeps waiting.
  nodes.server.stop();
  CHECK(ask_from(nodes.client.system_, echo, 30s) == errc::node_unreachable);
  CHECK(await(down) == static_cast<std::int32_t>(errc::node_unreachable));
  CHECK(nodes.client.transport_->state(1) == tcp::peer_state::down);
  CHECK(nodes.client.transport_->counters().nodes_lost == 1);
  CHECK(nodes.client.system_.tell(echo, ping()).error() == errc::node_unreachable);
}

// Proves the queue to a peer is bounded: with the peer not there, tells beyond the bound
// report overloaded.
TEST_CASE("a full queue to a peer reports overloaded", "[net]") {
  auto limits = test_limits();
  limits.outbound_queue_max = 4;
  limits.failure_detector.first_heartbeat_estimate = 10s;  // stays "connecting"
  test_node lonely{0, 1, good_secret, limits};             // port 1: nothing listens there
  const actor_ref far{1, 0, 0, 1};
  for (int i = 0; i < 4; ++i) CHECK(lonely.system_.tell(far, ping()));
  CHECK(lonely.system_.tell(far, ping()).error() == errc::overloaded);
  CHECK(lonely.transport_->counters().messages_overloaded == 1);
}

// Proves the path of a shard hosted on the transport's thread (messages encoded as they
// are sent, chunks written as they fill): a flood of many writes' worth arrives whole and
// in order, in batched writes; a watcher there learns of a lost node; and the queue's
// bound holds on that path too.
TEST_CASE("shards on the transport's thread send in order, watch, and push back", "[net]") {
  SECTION("a flood arrives whole and in order") {
    pair_of_nodes nodes{good_secret, shard_thread::transport};
    REQUIRE(eventually([&] { return nodes.client.transport_->state(1) == tcp::peer_state::up; }));
    const auto counter = nodes.server.system_.spawn(&in_order).value();
    auto out = make_slot<std::int64_t>();
    auto total = out->get_future();
    constexpr std::int64_t count = 20'000;
    REQUIRE(nodes.client.system_.spawn(&flood, counter, count, std::int64_t{3'000}, out));
    CHECK(await(total, 60s) == count);
    const auto sent = nodes.client.transport_->counters();
    CHECK(sent.frames_sent >= count);
    CHECK(sent.frames_sent > 10 * sent.writes);  // batched, not one write per message
    CHECK(nodes.server.transport_->counters().frames_malformed == 0);
  }
  SECTION("a watcher learns that the node is lost") {
    pair_of_nodes nodes{good_secret, shard_thread::transport};
    const auto echo = nodes.server.system_.spawn(&responder).value();
    REQUIRE_FALSE(ask_from(nodes.client.system_, echo, 5s));
    auto watched = make_slot<std::int32_t>();
    auto down = watched->get_future();
    REQUIRE(nodes.client.system_.spawn(&watch_one, echo, watched));
    // The monitor leaves before the node does: one more round trip after it.
    REQUIRE_FALSE(ask_from(nodes.client.system_, echo, 5s));
    // The node goes silent, its actors still running: only the failure detector can tell.
    nodes.server.transport_->stop();
    CHECK(await(down) == static_cast<std::int32_t>(errc::node_unreachable));
  }
  SECTION("a full queue reports overloaded") {
    auto limits = test_limits();
    limits.outbound_queue_max = 4;
    limits.failure_detector.first_heartbeat_estimate = 10s;  // stays "connecting"
    test_node lonely{0, 1, good_secret, limits, shard_thread::transport};
    auto out = make_slot<std::vector<std::error_code>>();
    auto results = out->get_future();
    REQUIRE(lonely.system_.spawn(&tell_many, actor_ref{1, 0, 0, 1}, 6, out));
    const std::vector<std::error_code> told = await(results);
    REQUIRE(told.size() == 6);
    for (int i = 0; i < 4; ++i) CHECK_FALSE(told[static_cast<std::size_t>(i)]);
    CHECK(told[4] == errc::overloaded);
    CHECK(told[5] == errc::overloaded);
    CHECK(lonely.transport_->counters().messages_overloaded == 2);
  }
}

// Proves each kind of bad input closes only its own connection, is counted, and leaves
// the node serving its real peer.
TEST_CASE("bad input closes only its connection", "[net]") {
  pair_of_nodes nodes;
  auto echo = nodes.server.system_.spawn(&responder).value();
  const auto still_serving = [&] { return !ask_from(nodes.client.system_, echo, 5s); };
  REQUIRE(still_serving());
  auto& server = *nodes.server.transport_;

  SECTION("garbage bytes") {
    raw_peer raw{nodes.server.port_};
    const std::string garbage(64, '\xff');
    raw.send(garbage.data(), garbage.size());
    CHECK(raw.closed_by_peer());
    CHECK(server.counters().frames_malformed >= 1);
  }
  SECTION("an oversized frame") {
    raw_peer raw{nodes.server.port_};
    const std::uint32_t table[2] = {0, 0x10000000};  // one segment of 2 GiB
    raw.send(table, sizeof table);
    CHECK(raw.closed_by_peer());
    CHECK(server.counters().frames_oversized == 1);
  }
  SECTION("a frame that is not a Cap'n Proto message") {
    raw_peer raw{nodes.server.port_};
    const std::uint64_t frame[3] = {std::uint64_t{2} << 32, 0xdeadbeefdeadbeefULL,
                                    0x0123456789abcdefULL};  // 2 words of nonsense
    raw.send(frame, sizeof frame);
    CHECK(raw.closed_by_peer());
    CHECK(server.counters().frames_malformed >= 1);
  }
  SECTION("an unknown frame kind, before and after the handshake") {
    capnp::MallocMessageBuilder b;
    b.initRoot<wire::Frame>().initGoodbye().setReason("x");
    tcp::frame_words words;
    tcp::append_frame(b, words);
    // Words: the segment table, the root pointer, then Frame's data word, whose low 16
    // bits are the union's discriminant.
    *reinterpret_cast<std::uint16_t*>(words.data() + 2) = 99;
    raw_peer early{nodes.server.port_};
    early.send(words.data(), words.size() * sizeof(capnp::word));
    CHECK(early.closed_by_peer());
    CHECK(server.counters().handshakes_refused == 1);

    // Posing as node 0 replaces the real node 0's connection; it reconnects by itself.
    raw_peer late{nodes.server.port_};
    late.handshake_as("n0", 0);
    late.send(words.data(), words.size() * sizeof(capnp::word));
    CHECK(late.closed_by_peer());
    CHECK(server.counters().frames_malformed == 1);
  }
  SECTION("a hello from another cluster") {
    raw_peer raw{nodes.server.port_};
    const auto secret = secret_of(good_secret);
    tcp::handshake_initiator hs{{"another-cluster", "n0", 0}, secret};
    capnp::MallocMessageBuilder b;
    hs.write_hello(b.initRoot<wire::Frame>().initHello());
    raw.send(b);
    CHECK(raw.closed_by_peer());
    CHECK(server.counters().handshakes_refused >= 1);
  }
  SECTION("silence past the handshake deadline") {
    raw_peer raw{nodes.server.port_};
    CHECK(raw.closed_by_peer());
  }
  SECTION("more connections than the limit") {
    std::vector<std::unique_ptr<raw_peer>> many;
    for (int i = 0; i < 70; ++i) many.push_back(std::make_unique<raw_peer>(nodes.server.port_));
    CHECK(eventually([&] { return server.counters().connections_refused > 0; }));
  }
  CHECK(still_serving());
}
