#pragma once

// The benchmark streams a run's events; the tests keep them, to judge the whole history.

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"
#include "sim_run.hpp"
#include "tcp_run.hpp"

namespace coact::bench::test {

/// run_in_sim, keeping every event in a history.
inline result<check::history> recorded_sim_run(const policy_variant& policy,
                                               const bench_topology& topology,
                                               const client_load& load,
                                               const sim_options& options) {
  check::history h;
  BOOST_OUTCOME_TRY(
      run_in_sim(policy, topology, load, options, [&h](const check::event& e) { h.push_back(e); }));
  return h;
}

/// run_over_tcp, keeping every event in a history.
inline result<check::history> recorded_tcp_run(const policy_variant& policy,
                                               const bench_topology& topology,
                                               const client_load& load,
                                               const tcp_options& options) {
  check::history h;
  BOOST_OUTCOME_TRY(run_over_tcp(policy, topology, load, options,
                                 [&h](const check::event& e) { h.push_back(e); }));
  return h;
}

}  // namespace coact::bench::test
