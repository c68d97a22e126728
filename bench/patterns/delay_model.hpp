#pragma once

#include <string>
#include <string_view>

#include "coact/net/sim/delay_distribution.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// A simulated network's delays within a datacenter, by name: one of the PBS paper's
/// models (write requests apart from every other message), or one distribution for all.
struct delay_model {
  std::string name;
  net::sim::pbs_model delays;
};

/// The model named `spec`: lnkd-ssd, lnkd-disk, ymmr, constant:MS, uniform:LOW_MS:HIGH_MS
/// or exponential:RATE_PER_MS. invalid_argument for any other name or a bad parameter.
[[nodiscard]] result<delay_model> parse_delay_model(std::string_view spec);

/// The accepted names, for help texts.
inline constexpr const char* delay_model_help =
    "lnkd-ssd, lnkd-disk, ymmr (the PBS paper's models), constant:MS, uniform:LOW_MS:HIGH_MS, "
    "exponential:RATE_PER_MS";

}  // namespace coact::bench
