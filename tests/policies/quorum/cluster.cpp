#include "cluster.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <utility>

#include "coact/actors/recording_client.hpp"
#include "coact/actors/replica.capnp.h"
#include "coact/policies/quorum/coordinator.hpp"

namespace quorum_test {
namespace {

using coact::actor_context;
using coact::task;

/// One client process: the workload's operations, recorded by `c`.
task<void> run_client(actor_context& self, std::unique_ptr<coact::kv::client> c, workload w,
                      std::int64_t process, coact::prng random) {
  for (int i = 0; i < w.operations; ++i) {
    co_await self.sleep(coact::duration{random.between(0, w.pause_max.count())});
    std::string key = w.keys[random.below(w.keys.size())];
    if (random.chance(w.read_fraction)) {
      (void)co_await c->get(self, std::move(key));
    } else {
      (void)co_await c->put(self, std::move(key),
                            "p" + std::to_string(process) + "-" + std::to_string(i));
    }
  }
}

/// Asks replica `node`'s storage actor (as the directory names it now) for `key`.
task<void> run_probe(actor_context& self, const coact::kv::directory* refs, sim::node_id node,
                     std::string key, std::shared_ptr<std::optional<probe_result>> out) {
  constexpr int attempts_max = 5;
  probe_result r;
  for (int attempt = 0; attempt < attempts_max && !r.answered; ++attempt) {
    coact::message<coact::kv::proto::ReplicaRead> read;
    read->setKey(key);
    auto answer = co_await self.ask<coact::kv::proto::ReplicaValue>(
        refs->get(node, quorum::replica_role), std::move(read), 50ms);
    if (!answer) continue;
    r.answered = true;
    const auto v = answer.value().get<coact::kv::proto::ReplicaValue>();
    if (v.getPresent()) {
      r.value = coact::kv::stored_value{
          std::string{v.getValue().cStr(), v.getValue().size()},
          {.counter = v.getVersion().getCounter(), .writer = v.getVersion().getWriter()}};
    }
  }
  *out = r;
}

}  // namespace

cluster::cluster(std::uint64_t seed, cluster_options options)
    : replica_count_(options.replicas.size()), client_count_(options.clients.size()),
      network_(std::make_shared<nsim::network>(coact::prng{seed}.split("net"))),
      world_(seed, network_) {
  log_ = std::make_unique<coact::check::recorder>(world_.true_clock());
  REQUIRE(network_->set_defaults(options.links));
  network_->set_datacenters(nsim::datacenters_of(world_));
  coact::kv::topology nodes;
  for (std::size_t i = 0; i < replica_count_; ++i) {
    nodes.replicas.push_back({.node = replica(i),
                              .name = "replica" + std::to_string(i),
                              .datacenter = options.replicas[i]});
  }
  // The client nodes' datacenters, from which the policy picks their coordinators.
  for (std::size_t i = 0; i < client_count_; ++i) {
    nodes.clients.push_back({.node = client(i),
                             .name = "client" + std::to_string(i),
                             .datacenter = options.clients[i]});
  }
  if (options.durable) options.policy.storage = coact::kv::simulated_disks(world_);
  auto deployed = quorum::deploy(nodes, std::move(options.policy));
  REQUIRE(deployed);
  policy_ = std::move(deployed).value();
  for (const auto& m : nodes.replicas) {
    world_.add_node(
        {.name = m.name, .datacenter = m.datacenter},
        [this](coact::actor_system& system, sim::node_id n) { policy_->boot(system, n); });
  }
  for (const auto& m : nodes.clients) {
    world_.add_node({.name = m.name, .datacenter = m.datacenter},
                    [](coact::actor_system&, sim::node_id) {});
  }
}

void cluster::start_workload(const workload& w, quorum::levels levels) {
  for (std::size_t i = 0; i < client_count_; ++i) {
    const std::int64_t process = next_process_++;
    auto recorded = std::make_unique<coact::kv::recording_client>(
        policy_->make_quorum_client(client(i), levels), *log_, process);
    REQUIRE(world_.system(client(i))->spawn(
        &run_client, std::unique_ptr<coact::kv::client>{std::move(recorded)}, w, process,
        world_.stream("client" + std::to_string(process))));
  }
}

std::shared_ptr<std::optional<probe_result>> cluster::probe_at(coact::time_point t, std::size_t i,
                                                               std::string key) {
  auto out = std::make_shared<std::optional<probe_result>>();
  world_.at(t, [this, i, key = std::move(key), out] {
    REQUIRE(
        world_.system(client(0))->spawn(&run_probe, &policy_->directory(), replica(i), key, out));
  });
  return out;
}

nsim::link_settings jittery(double loss) {
  return {.delay = nsim::delay_distribution::uniform(0.1, 3.0).value(),
          .loss_probability = loss,
          .fifo = false};
}

nsim::link_settings slow_tail(double loss) {
  const auto fast = nsim::delay_distribution::uniform(0.1, 1.0).value();
  const auto slow = nsim::delay_distribution::uniform(5.0, 20.0).value();
  return {.delay = nsim::delay_distribution::mixture({{0.75, fast}, {0.25, slow}}).value(),
          .loss_probability = loss,
          .fifo = false};
}

}  // namespace quorum_test
