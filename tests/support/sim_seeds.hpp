#pragma once

// What every simulator test shares: which seeds it runs, and how a failing seed is
// printed so that it replays alone.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace coact::test {

/// The seeds to try: COACT_SIM_SEED alone when it is set (to replay a failure), else
/// `count` seeds from `first`.
inline std::vector<std::uint64_t> seeds(std::uint64_t count, std::uint64_t first = 1) {
  if (const char* fixed = std::getenv("COACT_SIM_SEED")) return {std::stoull(fixed)};
  std::vector<std::uint64_t> all;
  for (std::uint64_t s = first; s < first + count; ++s) all.push_back(s);
  return all;
}

/// The line a failing seed prints (with INFO): the seed, and the command that reruns it
/// alone in `binary` (a path under build/dev).
inline std::string rerun_hint(std::uint64_t seed, std::string_view binary) {
  return "seed " + std::to_string(seed) +
         "; rerun it alone with COACT_SIM_SEED=" + std::to_string(seed) + " " +
         std::string{binary} + " \"<this test's name>\"";
}

}  // namespace coact::test
