#pragma once

#include <cstdint>
#include <vector>

#include "coact/runtime/result.hpp"
#include "delay_model.hpp"

namespace coact::bench {

/// How the staleness of one partial-quorum configuration is measured in the simulator.
struct pbs_options {
  delay_model delays;
  /// Replicas of every key (N).
  std::uint32_t replica_count = 3;
  /// Writes of the first, coarse stage (each read back at every coarse offset) and of the
  /// second, fine stage (around where the coarse stage crossed 99.9%).
  std::uint64_t coarse_trials = 5000;
  std::uint64_t fine_trials = 10000;
  /// Clients writing at once (each trial's reads run beside the next trials).
  std::uint32_t writers = 50;
  std::uint64_t seed = 1;
};

/// The measured probability that a read issued `offset_ms` after a write's
/// acknowledgement returns it (or something newer).
struct visibility_sample {
  double offset_ms = 0;
  std::uint64_t reads = 0;
  std::uint64_t fresh = 0;
  [[nodiscard]] double probability() const noexcept {
    return reads == 0 ? 0 : static_cast<double>(fresh) / static_cast<double>(reads);
  }
};

/// What the simulator measured for one (R, W).
struct pbs_measurement {
  std::uint32_t r = 0;
  std::uint32_t w = 0;
  /// The reads issued at the acknowledgement (1 ns after it), and how many saw the write.
  visibility_sample at_commit;
  /// The smallest offset measured at which the probability, fitted as a non-decreasing
  /// function of the offset over every offset's reads, reaches 99.9%; meaningful only
  /// when found. Offsets are 20 per decade around it (within 12%), or the 1-2-5 ladder
  /// where the coarse stage sufficed.
  double t_visibility_999_ms = 0;
  bool t_visibility_found = false;
  double write_p999_ms = 0;
  double read_p999_ms = 0;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  /// Operations that did not complete ok (none expected: no faults are injected).
  std::uint64_t failed = 0;
  /// Every offset measured, in increasing order (both stages).
  std::vector<visibility_sample> curve;
};

/// Measures (R, W) = (r, w) of the quorum policy with N = options.replica_count in the
/// simulator: N replica nodes and a coordinator node that holds no replica (so that, as in
/// the PBS paper's WARS model, every replica is a network hop away), links delayed by
/// options.delays with its write distribution for ReplicaWrite (each message independent),
/// levels ONE/TWO/THREE, read repair off (reads change nothing, so reads of one write at
/// several offsets are independent samples), replica timeouts far beyond any delay. Each
/// trial writes a key of its own at level w and, from the acknowledgement, reads it back at
/// level r after each of a set of offsets. The coarse stage reads at 0 and a 1-2-5 ladder
/// of offsets from 0.01 ms to 10 s; the fine stage, when the coarse one did not see 99.9%
/// at 0, reads at 0 and 20 offsets per decade across the coarse crossing; both stages'
/// reads make the curve. Deterministic
/// for its options. Errors: invalid_argument for r or w outside [1, N] or N outside
/// [1, 3]; errc::timeout if the simulated run does not finish.
[[nodiscard]] result<pbs_measurement> measure_pbs(std::uint32_t r, std::uint32_t w,
                                                  const pbs_options& options);

}  // namespace coact::bench
