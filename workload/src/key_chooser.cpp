#include "coact/workload/key_chooser.hpp"

#include <algorithm>
#include <cmath>

namespace coact::workload {
namespace {

/// YCSB's scrambled zipfian draws ranks among this many items and hashes them onto the
/// keys, so that the hot keys are scattered and their weight does not depend on the count.
constexpr std::uint64_t scrambled_items = 10'000'000'000;

/// YCSB's fnvhash64: FNV-1 over the rank's eight bytes, lowest first.
std::uint64_t fnv_hash(std::uint64_t rank) noexcept {
  std::uint64_t hash = 0xCBF29CE484222325;
  for (int i = 0; i < 8; ++i) {
    hash = (hash ^ (rank & 0xff)) * 1099511628211;
    rank >>= 8;
  }
  return hash;
}

}  // namespace

double zeta(std::uint64_t n, double theta) noexcept {
  constexpr std::uint64_t exact_terms = 1000;
  double sum = 0;
  for (std::uint64_t i = 1; i <= std::min(n, exact_terms); ++i) sum += std::pow(i, -theta);
  if (n <= exact_terms) return sum;
  // The terms from m on, as an integral with the Euler-Maclaurin corrections.
  const double m = exact_terms;
  const double x = static_cast<double>(n);
  const auto f = [theta](double v) { return std::pow(v, -theta); };
  const auto f_prime = [theta](double v) { return -theta * std::pow(v, -theta - 1); };
  return sum - f(m) + (std::pow(x, 1 - theta) - std::pow(m, 1 - theta)) / (1 - theta) +
         (f(m) + f(x)) / 2 + (f_prime(x) - f_prime(m)) / 12;
}

std::uint64_t zipfian::next(prng& random, std::uint64_t n) noexcept {
  if (n != n_) {
    n_ = n;
    zeta_n_ = zeta(n, theta_);
    eta_ =
        (1 - std::pow(2.0 / static_cast<double>(n), 1 - theta_)) / (1 - zeta(2, theta_) / zeta_n_);
  }
  const double u = random.unit();
  const double uz = u * zeta_n_;
  if (uz < 1) return 0;
  // n = 2 ends here whatever rounding says: its eta_ is 0/0.
  if (uz < 1 + std::pow(0.5, theta_) || n == 2) return std::min<std::uint64_t>(1, n - 1);
  const double rank = static_cast<double>(n) * std::pow(eta_ * u - eta_ + 1, 1 / (1 - theta_));
  return std::min(n - 1, static_cast<std::uint64_t>(rank));
}

result<key_chooser> key_chooser::make(request_distribution d, double zipfian_constant) {
  if (!(zipfian_constant > 0 && zipfian_constant < 1)) return errc::invalid_argument;
  return key_chooser{d, zipfian_constant};
}

std::uint64_t key_chooser::next(prng& random, std::uint64_t count) noexcept {
  switch (distribution_) {
    case request_distribution::uniform:
      return random.below(count);
    case request_distribution::zipfian:
      return fnv_hash(ranks_.next(random, scrambled_items)) % count;
    case request_distribution::latest:
      return count - 1 - ranks_.next(random, count);
  }
  return 0;
}

}  // namespace coact::workload
