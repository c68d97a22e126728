#include "key_chooser.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace coact::bench {

namespace {
/// The Zipfian table is one double per key: beyond this the bench would spend its memory
/// on the key space rather than on the run.
constexpr std::uint64_t zipfian_keys_max = 1u << 24;
}  // namespace

result<key_chooser> key_chooser::make(std::uint64_t key_count, key_skew skew, double s) {
  if (key_count == 0) return errc::invalid_argument;
  if (skew == key_skew::uniform) return key_chooser{key_count, {}};
  if (!std::isfinite(s) || s <= 0 || key_count > zipfian_keys_max) return errc::invalid_argument;
  std::vector<double> cumulative(key_count);
  double sum = 0;
  for (std::uint64_t k = 0; k < key_count; ++k) {
    sum += 1 / std::pow(static_cast<double>(k + 1), s);
    cumulative[k] = sum;
  }
  for (double& c : cumulative) c /= sum;
  cumulative.back() = 1;  // no draw may fall past the last key through rounding
  return key_chooser{key_count, std::move(cumulative)};
}

std::uint64_t key_chooser::next(coact::prng& random) const {
  if (cumulative_.empty()) return random.below(key_count_);
  // Inverse transform: the first key whose cumulative probability exceeds the draw.
  const double u = random.unit();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  assert(it != cumulative_.end());
  return static_cast<std::uint64_t>(it - cumulative_.begin());
}

double key_chooser::probability(std::uint64_t k) const noexcept {
  if (k >= key_count_) return 0;
  if (cumulative_.empty()) return 1 / static_cast<double>(key_count_);
  return k == 0 ? cumulative_[0] : cumulative_[k] - cumulative_[k - 1];
}

}  // namespace coact::bench
