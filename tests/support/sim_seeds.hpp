#pragma once

// What every simulator test shares: which seeds it runs, and how a failing seed is
// printed so that it replays alone. Two variables choose the seeds of every simulator
// test, so that a failure replays and fresh seeds can be swept without touching a test:
//   COACT_SIM_SEED=N             replays seed N alone;
//   COACT_SIM_SEEDS=FIRST:COUNT  runs the COUNT seeds from FIRST instead of a test's own.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace coact::test {

/// A block of consecutive seeds.
struct seed_block {
  std::uint64_t first = 1;
  std::uint64_t count = 0;
};

/// Reads a seed block from `text` (FIRST:COUNT, or N for COACT_SIM_SEED when `single`),
/// the value of variable `variable`. Throws std::invalid_argument naming the variable
/// when the text is not of that form, COUNT is 0 or the block passes 2^64 - 1: thrown in
/// a test case, it fails that test with the message.
inline seed_block parse_seed_block(std::string_view variable, std::string_view text, bool single) {
  const auto refuse = [&](const char* why) {
    return std::invalid_argument{std::string{variable} + "=" + std::string{text} + ": " + why};
  };
  const auto number = [&](std::string_view digits) {
    std::uint64_t n = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (error == std::errc::result_out_of_range) throw refuse("a number is beyond 2^64 - 1");
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) {
      throw refuse(single ? "expected a seed, a decimal number (e.g. 7)"
                          : "expected FIRST:COUNT, two decimal numbers (e.g. 5000:100)");
    }
    return n;
  };
  if (single) return {number(text), 1};
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) throw refuse("expected FIRST:COUNT (e.g. 5000:100)");
  const seed_block b{number(text.substr(0, colon)), number(text.substr(colon + 1))};
  if (b.count == 0) throw refuse("COUNT must be at least 1");
  if (b.count - 1 > std::numeric_limits<std::uint64_t>::max() - b.first) {
    throw refuse("FIRST + COUNT - 1 is beyond 2^64 - 1");
  }
  return b;
}

/// The block chosen by the variables (COACT_SIM_SEED first), else `fallback`.
inline seed_block chosen_seeds(seed_block fallback) {
  if (const char* one = std::getenv("COACT_SIM_SEED")) {
    return parse_seed_block("COACT_SIM_SEED", one, true);
  }
  if (const char* block = std::getenv("COACT_SIM_SEEDS")) {
    return parse_seed_block("COACT_SIM_SEEDS", block, false);
  }
  return fallback;
}

inline std::vector<std::uint64_t> all_of(seed_block b) {
  std::vector<std::uint64_t> all;
  for (std::uint64_t i = 0; i < b.count; ++i) all.push_back(b.first + i);
  return all;
}

/// The seeds a guarantee is checked on: `count` seeds from `first`, or those the
/// variables choose.
inline std::vector<std::uint64_t> seeds(std::uint64_t count, std::uint64_t first = 1) {
  return all_of(chosen_seeds({first, count}));
}

/// The seeds a phenomenon is searched over: as seeds(), except that a COACT_SIM_SEEDS block
/// shorter than `count` is lengthened to `count` from its FIRST, since a search needs that
/// many seeds to find what it looks for (each search states the rate it needs).
inline std::vector<std::uint64_t> search_seeds(std::uint64_t count, std::uint64_t first = 1) {
  seed_block b = chosen_seeds({first, count});
  const std::uint64_t room = std::numeric_limits<std::uint64_t>::max() - b.first;
  if (std::getenv("COACT_SIM_SEED") == nullptr && count > 0) {
    b.count = std::max(b.count, std::min(count - 1, room) + 1);
  }
  return all_of(b);
}

/// The line a failing seed prints (with INFO): the seed, and the command that reruns it
/// alone in `binary` (a path under build/dev).
inline std::string rerun_hint(std::uint64_t seed, std::string_view binary) {
  return "seed " + std::to_string(seed) +
         "; rerun it alone with COACT_SIM_SEED=" + std::to_string(seed) + " " +
         std::string{binary} + " \"<this test's name>\"";
}

}  // namespace coact::test
