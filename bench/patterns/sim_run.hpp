#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "bench_topology.hpp"
#include "client_load.hpp"
#include "coact/check/recorder.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/sim/world.hpp"
#include "delay_model.hpp"
#include "policy_variant.hpp"

namespace coact::bench {

/// How the clients run in the simulator.
struct sim_options {
  /// The delays between two nodes of one datacenter.
  delay_model delays;
  /// The mean one-way delay between datacenters, in ms: messages between them are
  /// delayed uniformly in [0.9, 1.1] times it, whatever their type.
  double wan_delay_ms = 20;
  /// The probability that a message between two nodes is lost, on every link.
  double loss_probability = 0;
  std::uint64_t seed = 1;
  /// Virtual time after which a run whose clients have not all finished fails.
  duration time_limit = std::chrono::hours{1};
  /// How long the policy may take to accept writes (elect its leaders) before the
  /// clients start; see warm_up.
  duration warm_up_limit = std::chrono::seconds{30};
  /// When not null, the run stops once this is true (checked every 10 ms of virtual time).
  const std::atomic<bool>* stop = nullptr;
};

/// Runs `load` against `policy` on a simulated `topology`: a world of `options.seed` with its
/// fault injection off (the benchmark measures the policy, not its fault paths), links of
/// `options.delays` within datacenters, the policy booted on the replica nodes and warmed
/// up (warm_up, from the first client node), then load.client_count clients spread
/// round-robin over the client nodes, all recording into a streaming check::recorder that
/// hands each event to `sink` as it happens, on the calling thread (the warm-up's writes
/// are not recorded). Deterministic: the same arguments give the same events. Errors:
/// errc::timeout if the warm-up or the clients do not finish in time; std::errc::interrupted
/// when options.stop was set (the events until then went to `sink`);
/// errc::invalid_argument for a bad option (such as a loss probability outside [0, 1]);
/// those of workload::validate; the policy's deploy errors.
[[nodiscard]] result<void> run_in_sim(const policy_variant& policy, const bench_topology& topology,
                                      const client_load& load, const sim_options& options,
                                      check::event_sink sink);

/// Spawns a run's clients in `world` on the client nodes of `topology`, each a client of
/// `policy` recording into `log`; returns how many it spawned.
using client_spawner = std::function<result<std::size_t>(
    coact::sim::world& world, kv::deployment& policy, check::recorder& log)>;

/// As run_in_sim above, with the clients `spawn` makes (e.g. transactional ones), until
/// `*done` (which the clients count up as they finish) reaches their number.
[[nodiscard]] result<void> run_in_sim(const policy_variant& policy, const bench_topology& topology,
                                      const client_spawner& spawn,
                                      const std::atomic<std::size_t>& done,
                                      const sim_options& options, check::event_sink sink);

}  // namespace coact::bench
