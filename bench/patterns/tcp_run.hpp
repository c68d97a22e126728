#pragma once

#include <atomic>
#include <chrono>

#include "bench_topology.hpp"
#include "client_load.hpp"
#include "coact/check/recorder.hpp"
#include "policy_variant.hpp"
#include "sim_run.hpp"

namespace coact::bench {

/// How the clients run on the threaded runtime over loopback TCP.
struct tcp_options {
  /// Real time after which a run whose clients have not all finished fails.
  duration time_limit = std::chrono::seconds{60};
  /// How long the nodes may take to connect to each other.
  duration connect_limit = std::chrono::seconds{10};
  /// How long the policy may take to accept writes before the clients start (warm_up).
  duration warm_up_limit = std::chrono::seconds{10};
  std::uint64_t seed = 1;
  /// When not null, the run stops once this is true (checked every millisecond).
  const std::atomic<bool>* stop = nullptr;
};

/// Runs `load` against `policy` in this process over real TCP on 127.0.0.1: one actor system
/// of one shard per node of `topology`, each with its own io_context and thread shared
/// with its coact::net::tcp transport (as coact-node runs a node), every pair of nodes
/// connected. The policy is booted on the replica nodes and warmed up (warm_up), then the
/// clients spread round-robin over the client nodes, all recording on the real clock into
/// one streaming check::recorder that hands each event to `sink` as it happens, on the
/// client's node's thread, one at a time and in index order (under the recorder's lock).
/// Client draws come from `options.seed`; timings are real, so runs differ. Errors:
/// errc::timeout if the nodes do not connect, or the warm-up or the clients do not finish
/// in time; std::errc::interrupted when options.stop was set (the events until the nodes
/// stopped went to `sink`); those of workload::validate; the transport's and the policy's
/// deploy errors.
[[nodiscard]] result<void> run_over_tcp(const policy_variant& policy,
                                        const bench_topology& topology, const client_load& load,
                                        const tcp_options& options, check::event_sink sink);

}  // namespace coact::bench
