#pragma once

#include <vector>

#include "policy_variant.hpp"

namespace coact::bench {

/// Every policy and level the pattern benchmark compares, baseline first: the single
/// unreplicated replica, then every variant of coact::policies::catalog(), in its order.
[[nodiscard]] std::vector<policy_variant> policy_catalog();

}  // namespace coact::bench
