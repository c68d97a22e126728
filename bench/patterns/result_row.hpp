#pragma once

#include <string>

#include "run_summary.hpp"

namespace coact::bench {

/// One run of the pattern benchmark: a policy at its levels on one topology and runtime.
struct result_row {
  /// "sim" (the simulator, with its delay model) or "tcp" (threaded runtime, loopback).
  std::string runtime;
  /// e.g. "3 nodes, 1 DC".
  std::string topology;
  std::string policy;
  std::string family;
  run_summary summary;
  /// Why the run failed; empty when it ran. A partial run says so here.
  std::string error;
  /// The run was interrupted: `summary` holds what it measured until then (operations
  /// still open count as failed).
  bool partial = false;
};

}  // namespace coact::bench
