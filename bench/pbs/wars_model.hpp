#pragma once

#include <cstdint>

#include "coact/net/sim/delay_distribution.hpp"

namespace coact::bench {

/// What the PBS paper's WARS model predicts for one quorum configuration.
struct wars_prediction {
  /// The probability that a read issued at the write's commit sees it (t = 0).
  double consistent_at_commit = 0;
  /// The time after commit from which a read sees the write with probability 99.9%.
  double t_visibility_999_ms = 0;
  /// The 99.9th percentile of write and read latency, coordinator to coordinator.
  double write_p999_ms = 0;
  double read_p999_ms = 0;
};

/// The WARS model of Bailis et al. (PBS, VLDB 2012), by Monte Carlo: for each of `trials`
/// trials, a coordinator sends a write to each of `n` replicas (delay W, drawn from
/// `delays.write`), each acknowledges (A); the write commits at the w-th acknowledgement.
/// A read sent t later reaches replica i after R_i and its answer returns after S_i (all
/// of A, R, S from `delays.other`); it takes the first r answers and is consistent when
/// one of them comes from a replica the write reached before the read did (W_i <= commit
/// + t + R_i). The read's delays do not depend on t, so each trial gives the smallest t at
/// which it is consistent, and the t-visibility is a percentile of those. Every delay is
/// independent. Deterministic: draws come from `seed`. Requires 1 <= r, w <= n.
[[nodiscard]] wars_prediction predict_wars(const net::sim::pbs_model& delays, std::uint32_t n,
                                           std::uint32_t r, std::uint32_t w, std::uint64_t trials,
                                           std::uint64_t seed);

}  // namespace coact::bench
