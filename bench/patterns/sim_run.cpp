#include "sim_run.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "coact/check/recorder.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/runtime/sim/world.hpp"
#include "warm_up.hpp"

namespace coact::bench {
namespace {

/// How far the world runs between two looks at the clients.
constexpr duration slice = std::chrono::milliseconds{10};

/// The settings of links within a datacenter: the model's write distribution for every
/// write request type of the policy, its other distribution for the rest, each message
/// drawn independently (not FIFO) as in the PBS paper.
net::sim::link_settings local_link(const delay_model& m, const policy_variant& policy,
                                   double loss_probability) {
  net::sim::link_settings s{
      .delay = m.delays.other, .loss_probability = loss_probability, .fifo = false};
  for (const std::uint64_t type : policy.write_request_types) {
    s.delay_by_type.emplace(type, m.delays.write);
  }
  return s;
}

}  // namespace

result<void> run_in_sim(const policy_variant& policy, const bench_topology& topology,
                        const client_load& load, const sim_options& options,
                        check::event_sink sink) {
  BOOST_OUTCOME_TRY(workload::validate(load.work));
  workload::client_group clients{.record_count = load.work.record_count};
  const client_spawner spawn = [&](coact::sim::world& world, kv::deployment& deployment,
                                   check::recorder& log) -> result<std::size_t> {
    const auto client_nodes = topology.clients().size();
    for (std::uint32_t i = 0; i < load.client_count; ++i) {
      const std::uint32_t home = topology.clients()[i % client_nodes].node;
      BOOST_OUTCOME_TRY(spawn_client(*world.system(home), load, deployment.make_client(home), log,
                                     static_cast<std::int64_t>(i),
                                     world.stream("client-" + std::to_string(i)), clients));
    }
    return load.client_count;
  };
  return run_in_sim(policy, topology, spawn, clients.done, options, std::move(sink));
}

result<void> run_in_sim(const policy_variant& policy, const bench_topology& topology,
                        const client_spawner& spawn, const std::atomic<std::size_t>& done,
                        const sim_options& options, check::event_sink sink) {
  if (!std::isfinite(options.wan_delay_ms) || options.wan_delay_ms < 0) {
    return errc::invalid_argument;
  }
  auto net = std::make_shared<net::sim::network>(coact::prng{options.seed}.split("net"));
  BOOST_OUTCOME_TRY(
      net->set_defaults(local_link(options.delays, policy, options.loss_probability)));
  BOOST_OUTCOME_TRY(auto wan, net::sim::delay_distribution::uniform(0.9 * options.wan_delay_ms,
                                                                    1.1 * options.wan_delay_ms));
  const auto nodes = topology.nodes();
  for (const kv::member& from : nodes) {
    for (const kv::member& to : nodes) {
      if (from.datacenter == to.datacenter) continue;
      BOOST_OUTCOME_TRY(net->set_link(
          from.node, to.node,
          {.delay = wan, .loss_probability = options.loss_probability, .fifo = false}));
    }
  }

  // Declared before the world, which stops its nodes when it goes: the policy's actors
  // and the clients refer to these until then.
  BOOST_OUTCOME_TRY(auto deployment, policy.deploy(topology));
  std::optional<check::recorder> log;
  std::atomic<warm_up_state> warmed{warm_up_state::running};
  coact::sim::world world{options.seed, net};
  world.set_fault_injection(false);
  for (const kv::member& m : topology.replicas.replicas) {
    world.add_node(
        {.name = m.name, .datacenter = m.datacenter},
        [&](actor_system& system, coact::sim::node_id n) { deployment->boot(system, n); });
  }
  for (const kv::member& m : topology.clients()) {
    world.add_node({.name = m.name, .datacenter = m.datacenter}, nullptr);
  }
  // Runs the world while `busy`, up to `limit` (virtual time from now) or a stop.
  const auto run_while = [&](const auto& busy, duration limit) -> result<void> {
    const time_point end = world.now() + limit;
    while (busy()) {
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
        return std::make_error_code(std::errc::interrupted);
      }
      if (world.now() >= end) return errc::timeout;
      world.run_until(std::min(end, world.now() + slice));
    }
    return success();
  };

  const std::uint32_t first_client = topology.clients().front().node;
  BOOST_OUTCOME_TRY(
      world.system(first_client)
          ->spawn(&warm_up, deployment->make_client(first_client), options.warm_up_limit, &warmed));
  BOOST_OUTCOME_TRY(run_while([&] { return warmed.load() == warm_up_state::running; },
                              options.warm_up_limit + slice));
  if (warmed.load() != warm_up_state::ready) return errc::timeout;

  log.emplace(world.true_clock(), std::move(sink));
  BOOST_OUTCOME_TRY(const std::size_t count, spawn(world, *deployment, *log));
  return run_while([&] { return done.load() < count; }, options.time_limit);
}

}  // namespace coact::bench
