#include "coact/net/tcp/backoff.hpp"

#include <cassert>
#include <cmath>
#include <limits>

namespace coact::net::tcp {

result<backoff_options> backoff::validate(backoff_options options) {
  const bool valid = options.initial > duration::zero() && options.max >= options.initial &&
                     std::isfinite(options.multiplier) && options.multiplier >= 1;
  if (!valid) return errc::invalid_argument;
  return options;
}

backoff::backoff(backoff_options options, coact::prng random)
    : options_{options}, random_{random}, ceiling_{options.initial} {
  assert(validate(options).has_value());
}

duration backoff::next() noexcept {
  assert(ceiling_ > duration::zero() && ceiling_ <= options_.max);
  const duration::rep ceiling_ns = ceiling_.count();
  // The fixed half rounds up, so a 1 ns ceiling still waits 1 ns.
  const duration::rep fixed_ns = ceiling_ns - ceiling_ns / 2;
  const duration delay{fixed_ns + random_.between(0, ceiling_ns / 2)};
  assert(delay >= duration{fixed_ns} && delay <= ceiling_);

  if (attempts_ < std::numeric_limits<std::uint32_t>::max()) ++attempts_;
  // ceil: with a small ceiling and a multiplier close to 1, truncating could stall the
  // growth (1 ns * 1.5 -> 1 ns forever). Compared in doubles: the product may exceed rep.
  const double grown_ns = std::ceil(static_cast<double>(ceiling_ns) * options_.multiplier);
  ceiling_ = grown_ns >= static_cast<double>(options_.max.count())
                 ? options_.max
                 : duration{static_cast<duration::rep>(grown_ns)};
  return delay;
}

void backoff::reset() noexcept {
  ceiling_ = options_.initial;
  attempts_ = 0;
}

}  // namespace coact::net::tcp
