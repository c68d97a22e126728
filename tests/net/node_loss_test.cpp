// Node loss and named lookup behave the same in one process, in the simulator and over
// TCP: each scenario below is written once, as a function of a deployment of two nodes,
// and run on each of the three deployments.
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "../runtime/test_support.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/registry.hpp"
#include "coact/runtime/sim/world.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;
using coact::actor_ref;
using coact::actor_system;
using coact::errc;
namespace tcp = coact::net::tcp;

namespace {

// ---- the deployments: two nodes, 0 and 1; node 1 can be lost and come back ----

/// Two actor systems in one process, joined by a router that hands each message to the
/// other system. Losing a node cuts it off both ways (as a crash would: what its dying
/// actors send is lost), shuts it down, and calls node_lost on the other directly.
class one_process {
 public:
  one_process() {
    for (std::uint32_t n = 0; n < 2; ++n) boot(n, 0);
  }
  one_process(const one_process&) = delete;
  one_process& operator=(const one_process&) = delete;
  ~one_process() {
    std::lock_guard lock{links_->mutex};
    links_->up = {};
  }

  actor_system& node(std::uint32_t n) { return *systems_[n]; }
  void lose(std::uint32_t n) {
    {
      std::lock_guard lock{links_->mutex};
      links_->up[n] = nullptr;
    }
    systems_[n]->shutdown();
    systems_[1 - n]->node_lost(n, "shut down");
  }
  void revive(std::uint32_t n) { boot(n, 1); }
  bool wait_for(const std::function<bool()>& done, coact::duration limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(2ms);
    return done();
  }

 private:
  struct links {
    std::mutex mutex;
    std::array<actor_system*, 2> up{};
  };
  class router final : public coact::remote_router {
   public:
    router(std::shared_ptr<links> l, std::uint32_t from) : links_(std::move(l)), from_(from) {}
    coact::result<void> route(coact::envelope&& e) override {
      std::lock_guard lock{links_->mutex};
      actor_system* to = links_->up[e.target().node];
      if (links_->up[from_] == nullptr || to == nullptr) {
        e.discard();
        return errc::node_unreachable;
      }
      return to->receive_remote(std::move(e));
    }

   private:
    std::shared_ptr<links> links_;
    std::uint32_t from_;
  };

  void boot(std::uint32_t n, std::uint32_t incarnation) {
    systems_[n] = std::make_unique<actor_system>(
        coact::system_config{.shard_count = 1,
                             .node = n,
                             .incarnation = incarnation,
                             .router = std::make_shared<router>(links_, n)});
    std::lock_guard lock{links_->mutex};
    links_->up[n] = systems_[n].get();
  }

  std::shared_ptr<links> links_ = std::make_shared<links>();
  std::array<std::unique_ptr<actor_system>, 2> systems_;
};

/// Two nodes of a coact::sim::world with its default links; losing one crashes it, and
/// the world's failure detector tells the other after its detection delay (1 s).
class simulated {
 public:
  simulated() {
    for (int n = 0; n < 2; ++n) (void)world_.add_node({.name = "n" + std::to_string(n)}, nullptr);
  }
  actor_system& node(std::uint32_t n) { return *world_.system(n); }
  void lose(std::uint32_t n) { world_.crash(n); }
  void revive(std::uint32_t n) { world_.restart(n); }
  bool wait_for(const std::function<bool()>& done, coact::duration limit) {
    const auto end = world_.now() + limit;
    while (!done() && world_.now() < end) world_.run_for(10ms);
    return done();
  }

 private:
  coact::sim::world world_{7};
};

/// Two nodes over TCP on 127.0.0.1, each an actor system of one shard and a transport on
/// a thread of its own; losing one stops it, and the other's failure detector gives up on
/// it (within a second with these limits). It comes back on the port it had.
class over_tcp {
 public:
  over_tcp() {
    nodes_[1] = std::make_unique<tcp_node>(1, 0, 0, 0);
    nodes_[0] = std::make_unique<tcp_node>(0, 0, nodes_[1]->port, 0);
  }
  actor_system& node(std::uint32_t n) { return nodes_[n]->system; }
  void lose(std::uint32_t n) { nodes_[n]->stop(); }
  void revive(std::uint32_t n) {
    const std::uint16_t port = nodes_[n]->port;
    nodes_[n].reset();
    nodes_[n] = std::make_unique<tcp_node>(n, port, nodes_[1 - n]->port, 1);
  }
  bool wait_for(const std::function<bool()>& done, coact::duration limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(2ms);
    return done();
  }

 private:
  struct tcp_node {
    tcp_node(std::uint32_t id, std::uint16_t listen_port, std::uint16_t peer_port,
             std::uint32_t incarnation)
        : transport(
              std::make_shared<tcp::transport>(io, options(id, listen_port, peer_port), secret())),
          system({.shard_count = 1, .node = id, .incarnation = incarnation, .router = transport}) {
      transport->attach(system);
      port = transport->start().value();
      thread = std::thread{[this] { io.run(); }};
    }
    tcp_node(const tcp_node&) = delete;
    tcp_node& operator=(const tcp_node&) = delete;
    ~tcp_node() { stop(); }

    void stop() {
      if (!thread.joinable()) return;
      transport->stop();
      system.shutdown();
      work.reset();
      io.stop();
      thread.join();
    }

    static tcp::cluster_secret secret() {
      constexpr std::string_view text = "the secret of the node-loss test cluster";
      return tcp::cluster_secret::from_bytes(std::as_bytes(std::span{text.data(), text.size()}));
    }
    static tcp::transport_options options(std::uint32_t id, std::uint16_t listen_port,
                                          std::uint16_t peer_port) {
      tcp::transport_options o;
      o.cluster = "node-loss";
      o.node_name = "n" + std::to_string(id);
      o.node_id = id;
      o.listen_port = listen_port;
      o.peers.push_back({1 - id, "n" + std::to_string(1 - id), "127.0.0.1", peer_port});
      // A silent peer is lost about half a second after its last heartbeat.
      o.limits.heartbeat_interval = 20ms;
      o.limits.failure_detector.first_heartbeat_estimate = 100ms;
      o.limits.failure_detector.min_stddev = 20ms;
      o.limits.failure_detector.threshold = 5;
      o.limits.failure_detector.acceptable_pause = 300ms;
      o.limits.reconnect.initial = 10ms;
      o.limits.reconnect.max = 50ms;
      o.log = [](std::string_view) {};
      return o;
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::shared_ptr<tcp::transport> transport;
    actor_system system;
    std::uint16_t port = 0;
    std::thread thread;
  };

  std::array<std::unique_ptr<tcp_node>, 2> nodes_;
};

// ---- the actors ----

/// What the actors of a scenario saw, written on their shards and read by the test.
struct observation {
  std::mutex mutex;
  bool held = false;  // the holder took the ask
  std::optional<std::error_code> lookup, ask, down;
  std::optional<std::uint64_t> pong;

  template <class T>
  void set(std::optional<T> observation::*field, T value) {
    std::lock_guard lock{mutex};
    this->*field = value;
  }
  bool has(bool (*test)(const observation&)) {
    std::lock_guard lock{mutex};
    return test(*this);
  }
};
using seen = std::shared_ptr<observation>;

/// Keeps every message it receives, unanswered: an ask to it waits for its deadline.
coact::task<void> holder(coact::actor_context& self, seen out) {
  std::vector<coact::envelope> kept;
  for (;;) {
    kept.push_back(co_await self.receive());
    std::lock_guard lock{out->mutex};
    out->held = true;
  }
}

/// Finds "target" on node 1 through its registry, monitors it, asks it and notes the
/// lookup, the ask's outcome and then the Down's reason. The ask is the body's own: a task
/// beside the body would die with it, unnoted, when the Down came first.
coact::task<void> observer(coact::actor_context& self, seen out) {
  auto target = co_await coact::lookup(self, 1, "target", 5s);
  out->set(&observation::lookup, target ? std::error_code{} : target.error());
  if (!target) co_return;
  self.monitor(target.value());
  auto r = co_await self.ask<coact::test::Pong>(target.value(), ping(), 60s);
  out->set(&observation::ask, r ? std::error_code{} : r.error());
  auto down = co_await self.receive<coact::sys::Down>(120s);
  out->set(&observation::down,
           down ? coact::reason_of(down.value().get<coact::sys::Down>().getReason()).code
                : down.error());
}

/// Looks "target" up on node 1 and asks it Ping{41} until it answers, every 50 ms, at most
/// 200 times; notes the answer and the last lookup's outcome.
coact::task<void> prober(coact::actor_context& self, seen out) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto target = co_await coact::lookup(self, 1, "target", 1s);
    out->set(&observation::lookup, target ? std::error_code{} : target.error());
    if (target) {
      auto pong = co_await self.ask<coact::test::Pong>(target.value(), ping(41), 1s);
      if (pong) {
        out->set(&observation::pong, std::uint64_t{pong.value().get<coact::test::Pong>().getN()});
        co_return;
      }
    }
    co_await self.sleep(50ms);
  }
}

// ---- the scenarios, once each ----

/// Node 0 looks up an actor of node 1, monitors it and asks it; node 1 is lost while the
/// ask waits. The ask fails and the Down arrives, both with node_unreachable.
template <class Deployment>
void watcher_and_asker_learn_the_loss(Deployment& d) {
  auto out = std::make_shared<observation>();
  auto target = d.node(1).spawn(&holder, out);
  REQUIRE(target);
  d.node(1).register_name("target", target.value());
  REQUIRE(d.node(0).spawn(&observer, out));
  REQUIRE(d.wait_for([&] { return out->has([](const observation& o) { return o.held; }); }, 5s));
  d.lose(1);
  REQUIRE(d.wait_for([&] { return out->has([](const observation& o) { return o.ask && o.down; }); },
                     10s));
  CHECK(*out->lookup == std::error_code{});
  CHECK(*out->ask == errc::node_unreachable);
  CHECK(*out->down == errc::node_unreachable);
}

/// Node 1 is lost, then comes back as a new incarnation: node 0 finds the new actor by
/// name and its ask is answered. Before that, a name nobody bound is name_unbound.
template <class Deployment>
void a_node_that_comes_back_is_reachable(Deployment& d) {
  auto lost = std::make_shared<observation>();
  auto first = d.node(1).spawn(&holder, lost);
  REQUIRE(first);
  d.node(1).register_name("target", first.value());
  REQUIRE(d.node(0).spawn(&observer, lost));
  REQUIRE(d.wait_for([&] { return lost->has([](const observation& o) { return o.held; }); }, 5s));
  d.lose(1);
  REQUIRE(
      d.wait_for([&] { return lost->has([](const observation& o) { return !!o.down; }); }, 10s));
  d.revive(1);
  auto unbound = std::make_shared<observation>();
  REQUIRE(d.node(0).spawn(&observer, unbound));
  REQUIRE(d.wait_for([&] { return unbound->has([](const observation& o) { return !!o.lookup; }); },
                     10s));
  auto responder = d.node(1).spawn(&coact::testing::responder);
  REQUIRE(responder);
  d.node(1).register_name("target", responder.value());
  auto back = std::make_shared<observation>();
  REQUIRE(d.node(0).spawn(&prober, back));
  REQUIRE(
      d.wait_for([&] { return back->has([](const observation& o) { return !!o.pong; }); }, 15s));
  CHECK(*back->pong == 42);
  // Asked before the name was bound again (or while node 1 was still unreachable).
  CHECK((*unbound->lookup == errc::name_unbound || *unbound->lookup == errc::node_unreachable));
}

}  // namespace

// Proves a pending ask fails and a monitor gets Down, both with node_unreachable, when
// node_lost is called in one process.
TEST_CASE("node loss in one process: the ask fails and the watcher is told", "[net][loss]") {
  one_process d;
  watcher_and_asker_learn_the_loss(d);
}

// Proves the same when a simulated node crashes: the world's failure detector reports it.
TEST_CASE("node loss in the simulator: the ask fails and the watcher is told", "[net][loss][sim]") {
  simulated d;
  watcher_and_asker_learn_the_loss(d);
}

// Proves the same over TCP when a node stops: the transport's failure detector reports it.
TEST_CASE("node loss over TCP: the ask fails and the watcher is told", "[net][loss][tcp]") {
  over_tcp d;
  watcher_and_asker_learn_the_loss(d);
}

// Proves a lost node that comes back is found by name and answers, in one process.
TEST_CASE("a lost node that comes back is reachable, in one process", "[net][loss]") {
  one_process d;
  a_node_that_comes_back_is_reachable(d);
}

// Proves a crashed simulated node, restarted, is found by name and answers.
TEST_CASE("a lost node that comes back is reachable, in the simulator", "[net][loss][sim]") {
  simulated d;
  a_node_that_comes_back_is_reachable(d);
}

// Proves a stopped TCP node, started again on its port, is found by name and answers.
TEST_CASE("a lost node that comes back is reachable, over TCP", "[net][loss][tcp]") {
  over_tcp d;
  a_node_that_comes_back_is_reachable(d);
}

// Proves a partition is a node loss too in the simulator: each side loses the other one
// detection delay after the cut (not before), and after the heal asks are answered again.
TEST_CASE("a partition loses the nodes it cuts after the detection delay, a heal finds them",
          "[net][loss][sim]") {
  auto net = std::make_shared<coact::net::sim::network>(coact::prng{11}.split("net"));
  coact::sim::world w{11, net};
  w.set_detection_delay(500ms);
  for (int n = 0; n < 2; ++n) (void)w.add_node({.name = "n" + std::to_string(n)}, nullptr);
  auto out = std::make_shared<observation>();
  auto target = w.system(1)->spawn(&holder, out);
  REQUIRE(target);
  w.system(1)->register_name("target", target.value());
  REQUIRE(w.system(0)->spawn(&observer, out));
  w.run_for(100ms);
  REQUIRE(out->has([](const observation& o) { return o.held; }));
  const coact::time_point cut_at = w.now();
  REQUIRE(net->block(coact::net::sim::partition::between(0, 1)));
  w.run_until(cut_at + 499ms);
  CHECK_FALSE(out->has([](const observation& o) { return o.ask || o.down; }));
  CHECK_FALSE(w.lost(0, 1));
  w.run_until(cut_at + 510ms);
  CHECK(w.lost(0, 1));
  CHECK(w.lost(1, 0));
  REQUIRE(out->has([](const observation& o) { return o.ask && o.down; }));
  CHECK(*out->ask == errc::node_unreachable);
  CHECK(*out->down == errc::node_unreachable);

  net->heal_all();
  CHECK_FALSE(w.lost(0, 1));
  auto responder = w.system(1)->spawn(&coact::testing::responder);
  REQUIRE(responder);
  w.system(1)->register_name("target", responder.value());
  auto back = std::make_shared<observation>();
  REQUIRE(w.system(0)->spawn(&prober, back));
  w.run_for(1s);
  REQUIRE(back->has([](const observation& o) { return !!o.pong; }));
  CHECK(*back->pong == 42);
}
