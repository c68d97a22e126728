#pragma once

#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "coact/net/sim/network.hpp"
#include "coact/net/sim/partition.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/sim/world.hpp"

namespace coact::workload {

class simulation;

/// A schedule of faults, composed by chaining: each fault is in effect from `start` (true
/// time) for `length`, and any number may overlap. A value: one nemesis serves any number
/// of runs.
class nemesis {
 public:
  /// Partition `p` (one-way, symmetric, a node isolated, by datacenter).
  nemesis& partition(time_point start, duration length, net::sim::partition p);
  /// Every link between a node of `side` and any other node cut, both ways: with a
  /// minority of the replicas on `side`, a minority/majority split.
  nemesis& split(time_point start, duration length, std::vector<sim::node_id> side);
  /// Node `n` crashed (its volatile state lost, its synced disk kept), then restarted.
  nemesis& crash(time_point start, duration length, sim::node_id n);
  /// Node `n` frozen, like a long GC pause, then resumed.
  nemesis& pause(time_point start, duration length, sim::node_id n);
  /// A share `p` of the messages lost, on links without settings of their own.
  nemesis& loss(time_point start, duration length, double p);
  /// A share `p` of the messages delivered twice, on links without settings of their own.
  nemesis& duplication(time_point start, duration length, double p);
  /// Random partitions from the seed (see net::sim::chaos_options).
  nemesis& random_partitions(net::sim::chaos_options options);
  /// Node `n`'s clock off by `offset` and running fast by `drift_ppm`, for the whole run.
  nemesis& skew(sim::node_id n, duration offset, double drift_ppm = 0);

  /// Schedules every fault but the skews on `s`'s world. invalid_argument for a
  /// probability outside [0, 1], a datacenter partition without datacenters, a negative
  /// length, or a node that does not exist.
  [[nodiscard]] result<void> apply(simulation& s) const;
  /// The clock skew (offset, drift in ppm) of node `n`.
  [[nodiscard]] std::pair<duration, double> skew_of(sim::node_id n) const;

 private:
  nemesis& add(std::function<result<void>(simulation&)> fault);

  std::vector<std::function<result<void>(simulation&)>> faults_;
  std::map<sim::node_id, std::pair<duration, double>> skews_;
};

}  // namespace coact::workload
