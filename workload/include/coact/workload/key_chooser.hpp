#pragma once

#include <cstdint>

#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"

namespace coact::workload {

/// How a client picks the key of each request (YCSB's requestdistribution).
enum class request_distribution : std::uint8_t {
  uniform,  ///< every key equally often
  zipfian,  ///< YCSB's scrambled zipfian: a few hot keys, scattered over the key space
  latest,   ///< YCSB's skewed latest: the newest keys hottest, zipfian by age
};

/// The sum of i^-theta for i in [1, n]: a zipfian's normaliser. Exact up to 1,000 terms,
/// beyond them by Euler-Maclaurin, so that YCSB's 10^10 items cost no more.
[[nodiscard]] double zeta(std::uint64_t n, double theta) noexcept;

/// Ranks from a zipfian over [0, n): rank r about as often as (r + 1)^-theta / zeta(n,
/// theta), by Gray et al.'s method, as YCSB's ZipfianGenerator draws them. n may change
/// between draws (it costs a new normaliser). theta must be in (0, 1).
class zipfian {
 public:
  explicit zipfian(double theta) noexcept : theta_(theta) {}
  /// A rank in [0, n); n >= 1.
  [[nodiscard]] std::uint64_t next(prng& random, std::uint64_t n) noexcept;

 private:
  double theta_;
  std::uint64_t n_ = 0;
  double zeta_n_ = 0;
  double eta_ = 0;
};

/// Picks keys, numbered from 0, among the `count` keys there are at each draw (inserts
/// add keys). One per client: it keeps the normaliser of the count it saw last.
class key_chooser {
 public:
  /// invalid_argument unless zipfian_constant is in (0, 1) (YCSB's default: 0.99).
  [[nodiscard]] static result<key_chooser> make(request_distribution d,
                                                double zipfian_constant = 0.99);
  /// A key in [0, count); count >= 1.
  [[nodiscard]] std::uint64_t next(prng& random, std::uint64_t count) noexcept;

 private:
  key_chooser(request_distribution d, double theta) noexcept : distribution_(d), ranks_(theta) {}

  request_distribution distribution_;
  zipfian ranks_;
};

}  // namespace coact::workload
