#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_topology.hpp"
#include "coact/actors/deployment.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// One policy at one setting of its levels, as the benchmarks run it.
struct policy_variant {
  /// How tables print it, e.g. "quorum R=ONE W=ONE".
  std::string name;
  /// How files and --policies name it: unique, only [a-z0-9-], e.g. "quorum-one-one".
  std::string slug;
  /// The policy family, e.g. "quorum": the plots colour by it.
  std::string family;
  /// Whether its descriptor promises that every operation this variant issues (its reads
  /// at its level, its writes) is linearizable: then its histories must pass `coact check
  /// linearizability`, faults or not.
  bool linearizable = false;
  /// Sets the policy up on `where`'s replica nodes, for clients on its client nodes; the
  /// deployment is used on one run only. Errors: the policy's deploy's.
  std::function<result<std::unique_ptr<kv::deployment>>(const bench_topology& where)> deploy;
  /// The payload types (Cap'n Proto type ids) of the requests by which the policy sends a
  /// write to a replica: the PBS models delay these by their write-request distribution.
  std::vector<std::uint64_t> write_request_types;
};

}  // namespace coact::bench
