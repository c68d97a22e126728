#include "key_suggestion.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace coact::tools {
namespace {

/// Levenshtein distance. Keys are short, so the quadratic cost is nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> near_miss(std::string_view word,
                                          std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::min<std::size_t>(2, word.size() / 2) + 1;
  for (std::string_view c : candidates) {
    const bool truncated = word.size() >= 4 && c.starts_with(word);
    const std::size_t d = truncated ? 1 : edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace coact::tools
