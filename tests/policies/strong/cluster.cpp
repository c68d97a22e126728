#include "cluster.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include "coact/actors/log_storage.hpp"
#include "coact/check/history_json.hpp"
#include "coact/policies/strong/raft_client.hpp"

namespace strong_test {
namespace {

using coact::actor_context;
using coact::task;

void count(client_stats& stats, op kind, const std::error_code& error, coact::duration took) {
  ++stats.done;
  if (error) {
    ++stats.errors[error];
    return;
  }
  ++stats.ok[static_cast<std::size_t>(kind)];
  stats.ok_latency[static_cast<std::size_t>(kind)] += took;
}

/// One client process: the workload's operations, one at a time. A cas expects the value
/// this process last saw for the key, so that some cases match.
task<void> client_process(actor_context& self, coact::kv::client* client, std::int64_t process,
                          workload work, coact::prng random, client_stats* stats, int* running) {
  if (self.now() < work.start) co_await self.sleep(work.start - self.now());
  std::map<std::string, std::optional<std::string>> seen;
  for (int i = 0; i < work.ops; ++i) {
    co_await self.sleep(coact::duration{random.between(0, work.think_max.count())});
    const std::string key = work.keys[random.below(work.keys.size())];
    const std::string value = "p" + std::to_string(process) + "." + std::to_string(i);
    const double pick = random.unit();
    const coact::time_point began = self.now();
    if (pick < work.get_share) {
      auto r = co_await client->get(self, key);
      if (r) seen[key] = r.value().value;
      count(*stats, op::get, r ? std::error_code{} : r.error(), self.now() - began);
    } else if (pick < work.get_share + work.cas_share) {
      const auto expected = seen.contains(key) ? seen[key] : std::nullopt;
      auto r = co_await client->cas(self, key, expected, value);
      if (r && r.value().matched) seen[key] = value;
      count(*stats, op::cas, r ? std::error_code{} : r.error(), self.now() - began);
    } else {
      auto r = co_await client->put(self, key, value);
      if (r) seen[key] = value;
      count(*stats, op::put, r ? std::error_code{} : r.error(), self.now() - began);
    }
  }
  --*running;
}

}  // namespace

strong::options cluster_settings::test_policy() {
  return {
      .timing = {.election_timeout_min = 10ms,
                 .election_timeout_max = 20ms,
                 .heartbeat_period = 3ms},
      .client = {.attempts_max = 8,
                 .attempt_timeout = 25ms,
                 .deadline = 150ms,
                 .retry_backoff = 4ms},
  };
}

cluster::cluster(std::uint64_t seed, cluster_settings settings)
    : settings_(std::move(settings)), stats_(settings_.clients.size()) {
  network_ = std::make_shared<nsim::network>(coact::prng{seed}.split("net"));
  REQUIRE(network_->set_defaults(settings_.links));
  world_ = std::make_unique<sim::world>(seed, network_);
  log_ = std::make_unique<coact::check::recorder>(world_->true_clock());

  coact::kv::topology topology;
  for (std::size_t r = 0; r < settings_.replicas; ++r) {
    topology.replicas.push_back(
        {.node = static_cast<std::uint32_t>(r), .name = "r" + std::to_string(r)});
  }
  strong::options policy = settings_.policy;
  policy.seed = seed;
  policy.on_leader = [this](std::uint32_t node, std::uint64_t term) {
    elections_.push_back({.at = world_->now(), .node = node, .term = term});
  };
  if (settings_.durable) {
    policy.storage = coact::kv::simulated_disks(*world_);
  }
  deployment_ = strong::deploy(topology, std::move(policy)).value();

  for (std::size_t r = 0; r < settings_.replicas; ++r) {
    world_->add_node({.name = "r" + std::to_string(r)},
                     [this](coact::actor_system& system, sim::node_id node) {
                       deployment_->boot(system, node);
                     });
  }
  for (std::size_t c = 0; c < settings_.clients.size(); ++c) {
    const auto process = static_cast<std::int64_t>(c + 1);
    clients_.push_back(std::make_unique<coact::kv::recording_client>(
        deployment_->make_client(client_node(c)), *log_, process));
    ++running_;
    world_->add_node({.name = "c" + std::to_string(c)},
                     [this, c, process](coact::actor_system& system, sim::node_id) {
                       (void)system.spawn(
                           &client_process, clients_[c].get(), process, settings_.clients[c],
                           world_->stream("client" + std::to_string(c)), &stats_[c], &running_);
                     });
  }
  if (settings_.chaos) {
    REQUIRE(network_->start_chaos(*world_, {.mean_between = settings_.partition_mean_between,
                                            .mean_length = settings_.partition_mean_length,
                                            .until = settings_.faults_until}));
  }
  if (settings_.crashes) schedule_crashes();
}

cluster::~cluster() {
  world_.reset();  // first: its actors use everything else
}

void cluster::schedule_crashes() {
  coact::prng random = world_->stream("crashes");
  const double mean_ns = static_cast<double>(settings_.crash_mean_between.count());
  coact::time_point t{30ms};
  for (;;) {
    t = t + coact::duration{static_cast<std::int64_t>(random.exponential(1.0 / mean_ns))};
    if (t >= settings_.faults_until) break;
    const auto node = static_cast<sim::node_id>(random.below(settings_.replicas));
    const coact::duration down{random.between(10'000'000, 100'000'000)};
    world_->at(t, [this, node, down] {
      if (world_->state(node) == sim::node_state::crashed) return;
      world_->crash(node);
      world_->after(down, [this, node] { world_->restart(node); });
    });
  }
}

void cluster::run() {
  while (running_ > 0 && world_->now() < settings_.limit) world_->run_for(10ms);
}

std::optional<sim::node_id> cluster::leader() const {
  if (elections_.empty()) return std::nullopt;
  return elections_.back().node;
}

std::uint64_t cluster::requests_sent() const {
  std::uint64_t sent = 0;
  for (const auto& c : clients_) {
    sent += dynamic_cast<strong::raft_client&>(c->inner()).requests_sent();
  }
  return sent;
}

void cluster::split(const std::vector<sim::node_id>& a, const std::vector<sim::node_id>& b) {
  for (const auto x : a) {
    for (const auto y : b) REQUIRE(network_->block(nsim::partition::between(x, y)));
  }
}

std::string as_text(const coact::check::history& h) {
  std::ostringstream out;
  coact::check::write_json_lines(out, h);
  return out.str();
}

}  // namespace strong_test
