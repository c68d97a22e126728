#include "coact/net/sim/delay_distribution.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace coact::net::sim {
namespace {

bool finite_non_negative(double x) noexcept { return std::isfinite(x) && x >= 0; }
bool finite_positive(double x) noexcept { return std::isfinite(x) && x > 0; }

}  // namespace

delay_distribution::delay_distribution()
    : delay_distribution(component{shape_kind::constant, 1.0, 0.0, 1.0}) {}

result<delay_distribution> delay_distribution::constant(double delay_ms) {
  if (!finite_non_negative(delay_ms)) return errc::invalid_argument;
  return delay_distribution{component{shape_kind::constant, delay_ms, 0.0, 1.0}};
}

result<delay_distribution> delay_distribution::uniform(double low_ms, double high_ms) {
  if (!finite_non_negative(low_ms) || !std::isfinite(high_ms) || high_ms < low_ms) {
    return errc::invalid_argument;
  }
  return delay_distribution{component{shape_kind::uniform, low_ms, high_ms, 1.0}};
}

result<delay_distribution> delay_distribution::exponential(double rate_per_ms) {
  if (!finite_positive(rate_per_ms)) return errc::invalid_argument;
  return delay_distribution{component{shape_kind::exponential, rate_per_ms, 0.0, 1.0}};
}

result<delay_distribution> delay_distribution::pareto(double scale_ms, double shape) {
  if (!finite_positive(scale_ms) || !finite_positive(shape)) return errc::invalid_argument;
  return delay_distribution{component{shape_kind::pareto, scale_ms, shape, 1.0}};
}

result<delay_distribution> delay_distribution::mixture(const std::vector<part>& parts) {
  double total = 0;
  for (const part& p : parts) {
    if (!finite_non_negative(p.weight)) return errc::invalid_argument;
    total += p.weight;
  }
  if (!(total > 0) || !std::isfinite(total)) return errc::invalid_argument;
  delay_distribution mixed;
  mixed.components_.clear();
  for (const part& p : parts) {
    if (p.weight == 0) continue;
    for (component c : p.distribution.components_) {
      c.probability *= p.weight / total;
      mixed.components_.push_back(c);
    }
  }
  assert(!mixed.components_.empty());
  return mixed;
}

// The PBS parameters are valid constants: value() cannot fail on them.
delay_distribution delay_distribution::lnkd_ssd() {
  return mixture({{0.9122, pareto(0.235, 10).value()}, {0.0878, exponential(1.66).value()}})
      .value();
}

delay_distribution delay_distribution::lnkd_disk_write() {
  return mixture({{0.38, pareto(1.05, 1.51).value()}, {0.62, exponential(0.183).value()}}).value();
}

delay_distribution delay_distribution::ymmr_write() {
  return mixture({{0.939, pareto(3, 3.35).value()}, {0.061, exponential(0.0028).value()}}).value();
}

delay_distribution delay_distribution::ymmr_other() {
  return mixture({{0.982, pareto(1.5, 3.8).value()}, {0.018, exponential(0.0217).value()}}).value();
}

double delay_distribution::sample_component(const component& c, coact::prng& random) {
  switch (c.kind) {
    case shape_kind::constant:
      return c.first;
    case shape_kind::uniform:
      return c.first + (c.second - c.first) * random.unit();
    case shape_kind::exponential:
      return random.exponential(c.first);
    case shape_kind::pareto:
      return random.pareto(c.first, c.second);
  }
  assert(false && "unknown shape");
  return 0;
}

double delay_distribution::sample_ms(coact::prng& random) const {
  assert(!components_.empty());
  if (components_.size() == 1) return sample_component(components_.front(), random);
  const double u = random.unit();
  double cumulative = 0;
  for (const component& c : components_) {
    cumulative += c.probability;
    if (u < cumulative) return sample_component(c, random);
  }
  // Rounding can leave the cumulative sum a hair below 1: the last part takes the rest.
  return sample_component(components_.back(), random);
}

duration delay_distribution::sample(coact::prng& random) const {
  const double ms = std::min(sample_ms(random), sample_ms_max);
  assert(ms >= 0);
  return duration{std::llround(ms * 1e6)};
}

double delay_distribution::mean_ms() const noexcept {
  double mean = 0;
  for (const component& c : components_) {
    double part_mean = 0;
    switch (c.kind) {
      case shape_kind::constant:
        part_mean = c.first;
        break;
      case shape_kind::uniform:
        part_mean = (c.first + c.second) / 2;
        break;
      case shape_kind::exponential:
        part_mean = 1 / c.first;
        break;
      case shape_kind::pareto:
        part_mean = c.second > 1 ? c.second * c.first / (c.second - 1)
                                 : std::numeric_limits<double>::infinity();
        break;
    }
    mean += c.probability * part_mean;
  }
  return mean;
}

double delay_distribution::min_ms() const noexcept {
  double low = std::numeric_limits<double>::infinity();
  for (const component& c : components_) {
    // Exponential draws reach down to 0; the other shapes' minimum is their first parameter.
    low = std::min(low, c.kind == shape_kind::exponential ? 0.0 : c.first);
  }
  return low;
}

pbs_model pbs_model::lnkd_ssd() {
  return {delay_distribution::lnkd_ssd(), delay_distribution::lnkd_ssd()};
}

pbs_model pbs_model::lnkd_disk() {
  return {delay_distribution::lnkd_disk_write(), delay_distribution::lnkd_ssd()};
}

pbs_model pbs_model::ymmr() {
  return {delay_distribution::ymmr_write(), delay_distribution::ymmr_other()};
}

}  // namespace coact::net::sim
