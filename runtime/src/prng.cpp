#include "coact/runtime/prng.hpp"

#include <cassert>
#include <cmath>
#include <numbers>

#include "coact/runtime/stable_hash.hpp"

namespace coact {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The 64x64 -> 128-bit product of Lemire's method; __extension__ marks the GNU type as
// intended under -Wpedantic.
__extension__ using u128 = unsigned __int128;

std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

}  // namespace

prng::prng(std::uint64_t seed) noexcept : seed_(seed) {
  std::uint64_t x = seed;
  for (std::uint64_t& word : state_) word = splitmix64(x);
}

prng prng::split(std::string_view stream) const noexcept {
  std::uint64_t x = seed_ ^ stable_hash(stream);
  return prng{splitmix64(x)};
}

std::uint64_t prng::next() noexcept {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

std::uint64_t prng::below(std::uint64_t bound) noexcept {
  if (bound == 0) return 0;
  u128 m = static_cast<u128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<u128>(next()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t prng::between(std::int64_t low, std::int64_t high) noexcept {
  assert(low <= high);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span == ~std::uint64_t{0}) return static_cast<std::int64_t>(next());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + below(span + 1));
}

double prng::unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

bool prng::chance(double p) noexcept {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return unit() < p;
}

double prng::exponential(double rate) noexcept {
  assert(rate > 0);
  // 1 - unit() is in (0, 1]: the logarithm stays finite.
  return -std::log(1.0 - unit()) / rate;
}

double prng::pareto(double scale, double shape) noexcept {
  assert(scale > 0 && shape > 0);
  return scale / std::pow(1.0 - unit(), 1.0 / shape);
}

double prng::normal(double mean, double stddev) noexcept {
  const double u1 = 1.0 - unit();
  const double u2 = unit();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace coact
