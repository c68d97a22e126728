#include "tcp_run.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "coact/check/recorder.hpp"
#include "coact/workload/loopback_cluster.hpp"
#include "warm_up.hpp"

namespace coact::bench {
namespace {

using namespace std::chrono_literals;

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
  workload::loopback_cluster cluster{"coact-pattern-bench"};
  BOOST_OUTCOME_TRY(cluster.start(topology.nodes()));
  if (!cluster.connected(std::chrono::steady_clock::now() + options.connect_limit)) {
    return errc::timeout;
  }
  for (const kv::member& m : topology.replicas.replicas) {
    deployment->boot(cluster.system(m.node), m.node);
  }
  const std::uint32_t first_client = topology.clients().front().node;
  BOOST_OUTCOME_TRY(
      cluster.system(first_client)
          .spawn(&warm_up, deployment->make_client(first_client), options.warm_up_limit, &warmed));
  BOOST_OUTCOME_TRY(wait_while([&] { return warmed.load() == warm_up_state::running; },
                               options.warm_up_limit + 1s, options.stop));
  if (warmed.load() != warm_up_state::ready) return errc::timeout;
  const coact::prng random{options.seed};
  const auto client_nodes = topology.clients().size();
  for (std::uint32_t i = 0; i < load.client_count; ++i) {
    const std::uint32_t home = topology.clients()[i % client_nodes].node;
    BOOST_OUTCOME_TRY(spawn_client(cluster.system(home), load, deployment->make_client(home), log,
                                   static_cast<std::int64_t>(i),
                                   random.split("client-" + std::to_string(i)), clients));
  }
  return wait_while([&] { return clients.done.load() < load.client_count; }, options.time_limit,
                    options.stop);
}

}  // namespace coact::bench
