#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>

namespace coact::bench {
namespace {

/// Buckets per power of two are 2^sub_bits; values below 2^(sub_bits + 1) have a bucket
/// each.
constexpr int sub_bits = 9;
constexpr std::uint64_t exact_below = std::uint64_t{1} << (sub_bits + 1);

std::size_t bucket_of(std::uint64_t ns) {
  if (ns < exact_below) return static_cast<std::size_t>(ns);
  // ns >> shift keeps the top sub_bits + 1 bits: its mantissa, in [2^sub_bits, 2^(sub_bits+1)).
  const int shift = std::bit_width(ns) - 1 - sub_bits;
  return (static_cast<std::size_t>(shift) << sub_bits) + static_cast<std::size_t>(ns >> shift);
}

/// The middle of bucket `b`: within half its width of every value in it.
std::uint64_t midpoint_of(std::size_t b) {
  if (b < exact_below) return b;
  const auto shift = static_cast<int>(b >> sub_bits) - 1;
  const std::uint64_t mantissa = b - (static_cast<std::size_t>(shift) << sub_bits);
  return (mantissa << shift) + (std::uint64_t{1} << (shift - 1));
}

}  // namespace

void latency_histogram::record(std::uint64_t ns) {
  const std::size_t b = bucket_of(ns);
  if (b >= counts_.size()) counts_.resize(b + 1, 0);
  ++counts_[b];
  min_ = count_ == 0 ? ns : std::min(min_, ns);
  max_ = std::max(max_, ns);
  ++count_;
}

std::uint64_t latency_histogram::quantile(double q) const {
  assert(q >= 0 && q <= 1);
  if (count_ == 0) return 0;
  const auto rank = std::clamp<std::uint64_t>(
      static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))), 1, count_);
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::clamp(midpoint_of(b), min_, max_);
  }
  assert(false && "the counts add up to count_");
  return max_;
}

}  // namespace coact::bench
