#include "run_summary.hpp"

#include <algorithm>
#include <cmath>

#include "run_meter.hpp"

namespace coact::bench {

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

result<run_summary> summarise(const check::history& h) {
  run_meter meter;
  for (const check::event& e : h) meter.add(e);
  return meter.summary();
}

}  // namespace coact::bench
