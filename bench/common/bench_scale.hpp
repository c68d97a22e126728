#pragma once

// The amount of work every benchmark does is scaled by COACT_BENCH_SCALE (default 1), e.g.
// 0.001 for the CI smoke runs that only prove each benchmark still runs.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace coact::bench {

/// COACT_BENCH_SCALE: 1 by default. Read once; anything but a positive number is reported
/// and ignored.
inline double coact_bench_scale() {
  static const double scale = [] {
    const char* text = std::getenv("COACT_BENCH_SCALE");
    if (text == nullptr || *text == '\0') return 1.0;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    if (*end != '\0' || !std::isfinite(value) || value <= 0.0) {
      std::fprintf(stderr, "COACT_BENCH_SCALE=%s is not a positive number; using 1\n", text);
      return 1.0;
    }
    return value;
  }();
  return scale;
}

/// base times the scale, rounded, and at least 1 so that every workload still runs.
inline std::int64_t scaled(std::int64_t base) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(base) * coact_bench_scale()));
}

}  // namespace coact::bench
