#include "coact/workload/loopback_cluster.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <cstdio>
#include <span>
#include <string_view>
#include <thread>
#include <utility>

#include "coact/net/tcp/transport.hpp"

namespace coact::workload {

namespace tcp = coact::net::tcp;
using namespace std::chrono_literals;

/// One node: an io_context on a thread of its own running the transport and the actor
/// system's one shard.
class loopback_cluster::node {
 public:
  /// `options` names the node and its peers; it starts listening on an ephemeral port.
  node(tcp::transport_options options, tcp::cluster_secret secret)
      : id_(options.node_id),
        transport_(std::make_shared<tcp::transport>(io_, std::move(options), std::move(secret))),
        system_(hosted_on{{&io_}}, system_config{.node = id_, .router = transport_}) {
    transport_->attach(system_);
    thread_ = std::thread{[this] { io_.run(); }};
  }
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  /// Stops the actor system (its shard needs the thread), the transport, then the thread.
  ~node() {
    system_.shutdown();
    if (started_) transport_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  /// Binds and starts accepting and connecting; the port listened on.
  result<std::uint16_t> start() {
    BOOST_OUTCOME_TRY(auto port, transport_->start());
    started_ = true;
    return port;
  }

  [[nodiscard]] actor_system& system() noexcept { return system_; }
  [[nodiscard]] tcp::transport& transport() noexcept { return *transport_; }
  [[nodiscard]] std::uint32_t id() const noexcept { return id_; }

 private:
  std::uint32_t id_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<tcp::transport> transport_;
  actor_system system_;
  bool started_ = false;
  std::thread thread_;
};

loopback_cluster::loopback_cluster(std::string program) : program_(std::move(program)) {}

loopback_cluster::~loopback_cluster() {
  quiet_.store(true, std::memory_order_relaxed);
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) it->reset();
}

result<void> loopback_cluster::start(const std::vector<kv::member>& members) {
  // Every node of the process shares one secret: the cluster is closed to other processes
  // only by listening on loopback.
  const std::string secret = "the secret of the " + program_ + " loopback cluster";
  nodes_.resize(members.size());
  std::vector<std::uint16_t> ports(members.size(), 0);
  // From the highest number down: a node connects only to peers with higher numbers,
  // whose ports are then known.
  for (auto i = members.size(); i-- > 0;) {
    tcp::transport_options o;
    o.cluster = program_;
    o.node_name = members[i].name;
    o.node_id = members[i].node;
    for (const kv::member& peer : members) {
      if (peer.node == o.node_id) continue;
      o.peers.push_back({peer.node, peer.name, "127.0.0.1", ports[peer.node]});
    }
    o.log = [this, name = o.node_name](std::string_view line) {
      if (!quiet_.load(std::memory_order_relaxed)) {
        std::fprintf(stderr, "%s %s: %.*s\n", program_.c_str(), name.c_str(),
                     static_cast<int>(line.size()), line.data());
      }
    };
    nodes_[i] = std::make_unique<node>(
        std::move(o),
        tcp::cluster_secret::from_bytes(std::as_bytes(std::span{secret.data(), secret.size()})));
    BOOST_OUTCOME_TRY(ports[i], nodes_[i]->start());
  }
  return success();
}

bool loopback_cluster::connected(std::chrono::steady_clock::time_point deadline) const {
  for (const auto& from : nodes_) {
    for (const auto& to : nodes_) {
      if (from == to) continue;
      while (from->transport().state(to->id()) != tcp::peer_state::up) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
      }
    }
  }
  return true;
}

actor_system& loopback_cluster::system(std::uint32_t n) { return nodes_.at(n)->system(); }

}  // namespace coact::workload
