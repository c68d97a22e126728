#pragma once

#include <chrono>

#include "bench_topology.hpp"
#include "policy_variant.hpp"
#include "sim_run.hpp"
#include "workload.hpp"

namespace coact::bench {

/// How a workload runs on the threaded runtime over loopback TCP.
struct tcp_options {
  /// Real time after which a run whose clients have not all finished fails.
  duration time_limit = std::chrono::seconds{60};
  /// How long the nodes may take to connect to each other.
  duration connect_limit = std::chrono::seconds{10};
  /// How long the policy may take to accept writes before the clients start (warm_up).
  duration warm_up_limit = std::chrono::seconds{10};
  std::uint64_t seed = 1;
};

/// Runs `w` against `policy` in this process over real TCP on 127.0.0.1: one actor system
/// of one shard per node of `topology`, each with its own io_context and thread shared
/// with its coact::net::tcp transport (as coact-node runs a node), every pair of nodes
/// connected. The policy is booted on the replica nodes and warmed up (warm_up), then the
/// clients spread round-robin over the client nodes, all recording into one history on
/// the real clock. Client draws
/// come from `options.seed`; timings are real, so runs differ. Errors: errc::timeout if
/// the nodes do not connect, or the warm-up or the clients do not finish in time; the
/// transport's and the policy's deploy errors.
[[nodiscard]] result<check::history> run_over_tcp(const policy_variant& policy,
                                                  const bench_topology& topology, const workload& w,
                                                  const tcp_options& options);

}  // namespace coact::bench
