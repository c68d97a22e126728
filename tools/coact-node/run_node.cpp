#include "run_node.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <signal.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "coact/net/tcp/log_line.hpp"
#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "node_actors.hpp"

namespace coact::tools {
namespace {

/// Operations a client actor runs before it reports.
constexpr std::uint32_t client_operations = 3000;

net::tcp::transport_options transport_options_for(const topology_config& topology,
                                                  const node_config& self) {
  net::tcp::transport_options o;
  o.cluster = topology.cluster;
  o.node_name = self.name;
  o.node_id = self.id;
  o.listen_host = self.host;
  o.listen_port = self.port;
  for (const node_config& other : topology.nodes) {
    if (other.id != self.id) o.peers.push_back({other.id, other.name, other.host, other.port});
  }
  const limits_config& l = topology.limits;
  o.limits.frame_bytes_max = l.frame_bytes_max;
  o.limits.connections_max = l.connections_max;
  o.limits.handshake_timeout = std::chrono::milliseconds{l.handshake_timeout_ms};
  o.limits.outbound_queue_max = l.outbound_queue_max;
  o.limits.heartbeat_interval = std::chrono::milliseconds{l.heartbeat_interval_ms};
  o.limits.failure_detector.threshold = l.phi_threshold;
  // Before the second heartbeat, a peer is expected within a few intervals.
  o.limits.failure_detector.first_heartbeat_estimate =
      std::chrono::milliseconds{4 * l.heartbeat_interval_ms};
  return o;
}

std::vector<store_address> stores_of(const topology_config& topology) {
  std::vector<store_address> stores;
  for (const node_config& node : topology.nodes) {
    for (const actor_config& actor : node.actors) {
      if (actor.kind == "kv_store") stores.push_back({node.id, actor.name});
    }
  }
  return stores;
}

/// Spawns the node's actors and registers each under its name, for lookups from afar.
bool spawn_actors(actor_system& system, const topology_config& topology, const node_config& self) {
  for (const actor_config& actor : self.actors) {
    result<actor_ref> ref = errc::invalid_argument;
    if (actor.kind == "echo") {
      ref = system.spawn(&echo_actor);
    } else if (actor.kind == "kv_store") {
      ref = system.spawn(&kv_store_actor);
    } else if (actor.kind == "client") {
      ref = system.spawn(&client_actor, stores_of(topology), client_operations,
                         self.name + "/" + actor.name);
    }
    if (!ref) {
      net::tcp::log_line(stderr, "coact-node", self.name,
                         "cannot start actor " + actor.name + ": " + ref.error().message());
      return false;
    }
    system.register_name(actor.name, ref.value());
  }
  return true;
}

}  // namespace

int run_node(const topology_config& topology, const node_config& self,
             net::tcp::cluster_secret secret) {
  // Blocked before any thread starts, so that every thread inherits the mask and only
  // sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // One io_context and thread per shard; the transport shares shard 0's, so messages
  // between shard 0's actors and the sockets take no thread hop.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::io_context*> hosts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  for (std::uint32_t i = 0; i < self.shards; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    hosts.push_back(contexts.back().get());
    work.push_back(asio::make_work_guard(*contexts.back()));
  }
  auto transport = std::make_shared<net::tcp::transport>(
      *contexts[0], transport_options_for(topology, self), std::move(secret));
  actor_system system{hosted_on{hosts}, system_config{.node = self.id, .router = transport}};
  transport->attach(system);
  std::vector<std::thread> threads;
  for (auto& io : contexts) threads.emplace_back([&io] { io->run(); });
  const bool listening = static_cast<bool>(transport->start());
  if (!listening) {
    net::tcp::log_line(stderr, "coact-node", self.name, "cannot listen on " + self.address());
  }
  const bool started = listening && spawn_actors(system, topology, self);
  if (started) {
    net::tcp::log_line(stdout, "coact-node", self.name,
                       "up on " + self.address() + " (node " + std::to_string(self.id) +
                           " of cluster " + topology.cluster + ")");
    int received = 0;
    sigwait(&stop_signals, &received);
    net::tcp::log_line(stdout, "coact-node", self.name,
                       std::string{"stopping on "} + strsignal(received));
  }
  // The shards stop first, while their threads still run them.
  system.shutdown();
  transport->stop();
  work.clear();
  for (auto& io : contexts) io->stop();
  for (auto& t : threads) t.join();
  return started ? node_exit_ok : node_exit_cannot_run;
}

}  // namespace coact::tools
