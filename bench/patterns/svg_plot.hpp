#pragma once

#include <string>
#include <vector>

#include "result_row.hpp"

namespace coact::bench {

/// A standalone SVG scatter plot of the runs that did not fail: p99 read latency (ms, log
/// scale) against the stale-read fraction (%), one point per run coloured by policy
/// family (a circle for the simulator, a square for TCP) and numbered, with axes, ticks
/// and a legend that lists the runs by number. `title` heads the plot.
[[nodiscard]] std::string format_svg(const std::vector<result_row>& rows, const std::string& title);

}  // namespace coact::bench
