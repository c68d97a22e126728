#include "tcp_run.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "coact/check/recorder.hpp"
#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "warm_up.hpp"

namespace coact::bench {
namespace {

namespace tcp = coact::net::tcp;
using namespace std::chrono_literals;

constexpr std::string_view bench_secret = "the secret of the coact-pattern-bench cluster";
constexpr const char* cluster_name = "coact-pattern-bench";

/// One node: an io_context on a thread of its own running the transport and the actor
/// system's one shard. The transport logs to standard error until `quiet` is set (when
/// the run shuts down and connections closing is expected).
class tcp_node {
 public:
  /// `options` names the node and its peers; it starts listening on an ephemeral port.
  tcp_node(tcp::transport_options options, const std::atomic<bool>* quiet)
      : id_(options.node_id), transport_(std::make_shared<tcp::transport>(
                                  io_, with_log(std::move(options), quiet), secret())),
        system_(hosted_on{{&io_}}, system_config{.node = id_, .router = transport_}) {
    transport_->attach(system_);
    thread_ = std::thread{[this] { io_.run(); }};
  }
  tcp_node(const tcp_node&) = delete;
  tcp_node& operator=(const tcp_node&) = delete;
  /// Stops the actor system (its shard needs the thread), the transport, then the thread.
  ~tcp_node() {
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
  static tcp::cluster_secret secret() {
    return tcp::cluster_secret::from_bytes(
        std::as_bytes(std::span{bench_secret.data(), bench_secret.size()}));
  }
  static tcp::transport_options with_log(tcp::transport_options o, const std::atomic<bool>* quiet) {
    o.log = [quiet, name = o.node_name](std::string_view line) {
      if (!quiet->load(std::memory_order_relaxed)) {
        std::fprintf(stderr, "coact-pattern-bench %s: %.*s\n", name.c_str(),
                     static_cast<int>(line.size()), line.data());
      }
    };
    return o;
  }

  std::uint32_t id_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<tcp::transport> transport_;
  actor_system system_;
  bool started_ = false;
  std::thread thread_;
};

/// The nodes of a run, started from the highest id down: a node connects only to peers
/// with higher ids, whose ports are then known.
struct tcp_cluster {
  std::atomic<bool> quiet{false};
  /// By node id; null until started.
  std::vector<std::unique_ptr<tcp_node>> nodes;

  ~tcp_cluster() {
    quiet.store(true, std::memory_order_relaxed);
    // The clients' nodes first, so that no client waits on a replica that is gone.
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) it->reset();
  }

  result<void> start(const std::vector<kv::member>& members) {
    nodes.resize(members.size());
    std::vector<std::uint16_t> ports(members.size(), 0);
    for (auto i = members.size(); i-- > 0;) {
      tcp::transport_options o;
      o.cluster = cluster_name;
      o.node_name = members[i].name;
      o.node_id = members[i].node;
      for (const kv::member& peer : members) {
        if (peer.node == o.node_id) continue;
        o.peers.push_back({peer.node, peer.name, "127.0.0.1", ports[peer.node]});
      }
      nodes[i] = std::make_unique<tcp_node>(std::move(o), &quiet);
      BOOST_OUTCOME_TRY(ports[i], nodes[i]->start());
    }
    return success();
  }

  /// True once every node sees every other up, by `deadline`.
  [[nodiscard]] bool connected(std::chrono::steady_clock::time_point deadline) const {
    for (const auto& from : nodes) {
      for (const auto& to : nodes) {
        if (from == to) continue;
        while (from->transport().state(to->id()) != tcp::peer_state::up) {
          if (std::chrono::steady_clock::now() > deadline) return false;
          std::this_thread::sleep_for(1ms);
        }
      }
    }
    return true;
  }
};

/// Waits while `busy` holds, up to `limit` or until `*stop` (when not null).
template <class Busy>
result<void> wait_while(const Busy& busy, duration limit, const std::atomic<bool>* stop) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (busy()) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
      return std::make_error_code(std::errc::interrupted);
    }
    if (std::chrono::steady_clock::now() > end) return errc::timeout;
    std::this_thread::sleep_for(1ms);
  }
  return success();
}

}  // namespace

result<void> run_over_tcp(const policy_variant& policy, const bench_topology& topology,
                          const client_load& load, const tcp_options& options,
                          check::event_sink sink) {
  BOOST_OUTCOME_TRY(workload::validate(load.work));
  // Declared before the cluster, which stops the nodes when it goes: the policy's actors
  // and the clients refer to these until then.
  BOOST_OUTCOME_TRY(auto deployment, policy.deploy(topology));
  check::recorder log{std::make_shared<real_clock>(), std::move(sink)};
  // Atomic counts: the clients run on every client node's thread.
  workload::client_group clients{.record_count = load.work.record_count};
  std::atomic<warm_up_state> warmed{warm_up_state::running};
  tcp_cluster cluster;
  BOOST_OUTCOME_TRY(cluster.start(topology.nodes()));
  if (!cluster.connected(std::chrono::steady_clock::now() + options.connect_limit)) {
    return errc::timeout;
  }
  for (const kv::member& m : topology.replicas.replicas) {
    deployment->boot(cluster.nodes[m.node]->system(), m.node);
  }
  const std::uint32_t first_client = topology.clients().front().node;
  BOOST_OUTCOME_TRY(cluster.nodes[first_client]->system().spawn(
      &warm_up, deployment->make_client(first_client), options.warm_up_limit, &warmed));
  BOOST_OUTCOME_TRY(wait_while([&] { return warmed.load() == warm_up_state::running; },
                               options.warm_up_limit + 1s, options.stop));
  if (warmed.load() != warm_up_state::ready) return errc::timeout;
  const coact::prng random{options.seed};
  const auto client_nodes = topology.clients().size();
  for (std::uint32_t i = 0; i < load.client_count; ++i) {
    const std::uint32_t home = topology.clients()[i % client_nodes].node;
    BOOST_OUTCOME_TRY(spawn_client(cluster.nodes[home]->system(), load,
                                   deployment->make_client(home), log, static_cast<std::int64_t>(i),
                                   random.split("client-" + std::to_string(i)), clients));
  }
  return wait_while([&] { return clients.done.load() < load.client_count; }, options.time_limit,
                    options.stop);
}

}  // namespace coact::bench
