#pragma once

#include <cstdint>
#include <vector>

#include "coact/runtime/clock.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"

namespace coact::net::sim {

/// A distribution of one-way message delays, in milliseconds: constant, uniform,
/// exponential, Pareto, or a weighted mixture of those. A value type, cheap to copy; it
/// holds no generator: every sample draws from the `coact::prng` passed in, so a
/// seed replays the same delays on every platform.
class delay_distribution {
 public:
  /// One weighted part of a mixture.
  struct part;

  /// The simulator's default link: every message after exactly 1 ms.
  delay_distribution();

  /// Always `delay_ms`. invalid_argument unless delay_ms is finite and >= 0.
  [[nodiscard]] static result<delay_distribution> constant(double delay_ms);
  /// Uniform in [low_ms, high_ms). invalid_argument unless 0 <= low_ms <= high_ms, finite.
  [[nodiscard]] static result<delay_distribution> uniform(double low_ms, double high_ms);
  /// Exponential with rate `rate_per_ms` (mean 1 / rate_per_ms ms). invalid_argument
  /// unless the rate is finite and > 0.
  [[nodiscard]] static result<delay_distribution> exponential(double rate_per_ms);
  /// Pareto with scale (minimum) `scale_ms` and shape `shape` (mean shape * scale_ms /
  /// (shape - 1) when shape > 1, else infinite). invalid_argument unless both are finite
  /// and > 0.
  [[nodiscard]] static result<delay_distribution> pareto(double scale_ms, double shape);
  /// Each sample comes from one of `parts`, chosen with probability proportional to its
  /// weight. Mixtures nest (their weights multiply). invalid_argument if `parts` is empty,
  /// a weight is negative or not finite, or the weights sum to 0.
  [[nodiscard]] static result<delay_distribution> mixture(const std::vector<part>& parts);

  /// LNKD-SSD of the PBS paper (Bailis et al., VLDB 2012), every message:
  /// 91.22% Pareto(x_m = 0.235 ms, alpha = 10) + 8.78% Exponential(lambda = 1.66 / ms).
  [[nodiscard]] static delay_distribution lnkd_ssd();
  /// LNKD-DISK of the PBS paper, write requests only (other messages follow lnkd_ssd):
  /// 38% Pareto(1.05 ms, 1.51) + 62% Exponential(0.183 / ms).
  [[nodiscard]] static delay_distribution lnkd_disk_write();
  /// YMMR of the PBS paper, write requests: 93.9% Pareto(3 ms, 3.35) + 6.1%
  /// Exponential(0.0028 / ms).
  [[nodiscard]] static delay_distribution ymmr_write();
  /// YMMR of the PBS paper, every message but write requests: 98.2% Pareto(1.5 ms, 3.8) +
  /// 1.8% Exponential(0.0217 / ms).
  [[nodiscard]] static delay_distribution ymmr_other();

  /// One delay, rounded to the nanosecond and capped at `sample_ms_max` so that time
  /// arithmetic cannot overflow on a heavy tail. Draws one value from `random` for the
  /// choice of a mixture's part (none for a single distribution) and one or more for the
  /// value itself.
  [[nodiscard]] duration sample(coact::prng& random) const;
  /// One delay in milliseconds, before rounding and capping.
  [[nodiscard]] double sample_ms(coact::prng& random) const;

  /// The distribution's mean in ms (infinite for a Pareto part with shape <= 1).
  [[nodiscard]] double mean_ms() const noexcept;
  /// The smallest value it can produce, in ms.
  [[nodiscard]] double min_ms() const noexcept;

  /// The cap of `sample`: about 11.6 days, far beyond any timeout, far below overflow.
  static constexpr double sample_ms_max = 1e9;

 private:
  enum class shape_kind : std::uint8_t { constant, uniform, exponential, pareto };
  /// One basic distribution with its normalised probability within the mixture.
  struct component {
    shape_kind kind;
    double first;   // constant: value; uniform: low; exponential: rate; pareto: scale
    double second;  // uniform: high; pareto: shape; otherwise unused
    double probability;
  };

  explicit delay_distribution(component c) : components_{c} {}
  [[nodiscard]] static double sample_component(const component& c, coact::prng& random);

  std::vector<component> components_;
};

/// One weighted part of a mixture: `weight` need not be normalised.
struct delay_distribution::part {
  double weight;
  delay_distribution distribution;
};

/// The delays of one of the PBS paper's measured deployments, by message class: write
/// requests travel by `write`, every other message (acks, reads, read responses) by
/// `other`. The caller picks the class per message.
struct pbs_model {
  /// How write requests are delayed.
  delay_distribution write;
  /// How every other message is delayed.
  delay_distribution other;

  /// LNKD-SSD: lnkd_ssd for every message.
  [[nodiscard]] static pbs_model lnkd_ssd();
  /// LNKD-DISK: lnkd_disk_write for writes, lnkd_ssd for the rest.
  [[nodiscard]] static pbs_model lnkd_disk();
  /// YMMR: ymmr_write for writes, ymmr_other for the rest.
  [[nodiscard]] static pbs_model ymmr();
};

}  // namespace coact::net::sim
