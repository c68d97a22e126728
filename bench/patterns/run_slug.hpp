#pragma once

#include <string>
#include <string_view>

#include "bench_topology.hpp"
#include "policy_variant.hpp"

namespace coact::bench {

/// A run's name in files and progress lines: `<runtime>-<nodes>n-<dcs>dc-<variant slug>`,
/// e.g. "sim-3n-1dc-strong"; only [a-z0-9-], and unique among the runs of one invocation.
[[nodiscard]] std::string run_slug(std::string_view runtime, const bench_topology& where,
                                   const policy_variant& policy);

}  // namespace coact::bench
